"""The thin Zalo Bot API client against a fake Zalo server on 127.0.0.1: envelopes, typed errors, 408,
429 backoff, and the token kept out of logs and error messages."""
from __future__ import annotations

import logging

import pytest

from channels.zalo_client import (ZaloApiError, ZaloClient, ZaloNetworkError, ZaloRateLimited,
                                  ZaloUnauthorized)
from tests.zalo_fake import TOKEN, free_port, running_fake, text_update


@pytest.fixture
async def fake():
    async with running_fake() as server:
        yield server


class RecordedSleep:
    """Stands in for asyncio.sleep so backoff delays are observed, not waited."""

    def __init__(self):
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


async def test_send_message_posts_json_and_returns_the_result(fake):
    async with ZaloClient(TOKEN, fake.base_url) as client:
        result = await client.send_message("u1", "Xin chào «anh/chị» & <bạn>")
    assert result["message_id"].startswith("sent")
    assert fake.calls == [("sendMessage", {"chat_id": "u1", "text": "Xin chào «anh/chị» & <bạn>"})]
    assert fake.sent == [{"chat_id": "u1", "text": "Xin chào «anh/chị» & <bạn>"}]


async def test_base_url_ending_in_bot_is_accepted(fake):
    async with ZaloClient(TOKEN, fake.base_url + "/bot/") as client:
        me = await client.get_me()
    assert me["account_name"] == "bot.TroLyDaiHoi"


async def test_ok_false_with_http_200_raises_typed_error_with_error_code(fake):
    fake.fail("sendMessage", status=200, error_code=400, description="Bad Request: chat not valid")
    async with ZaloClient(TOKEN, fake.base_url) as client:
        with pytest.raises(ZaloApiError) as caught:
            await client.send_message("u1", "xin chào")
    assert caught.value.error_code == 400 and caught.value.status == 200
    assert "chat not valid" in str(caught.value)
    assert not caught.value.retryable
    assert fake.sent == []


async def test_http_error_status_without_json_raises_with_the_status_as_code(fake):
    fake.fail("getMe", status=502, raw="<html>Bad gateway</html>")
    async with ZaloClient(TOKEN, fake.base_url) as client:
        with pytest.raises(ZaloApiError) as caught:
            await client.get_me()
    assert caught.value.error_code == 502 and caught.value.retryable


async def test_http_200_with_unreadable_body_is_a_network_error(fake):
    fake.fail("getMe", status=200, raw="not json")
    async with ZaloClient(TOKEN, fake.base_url) as client:
        with pytest.raises(ZaloNetworkError):
            await client.get_me()


async def test_wrong_token_raises_unauthorized():
    async with running_fake(token="999999999:another-token-entirely") as fake:
        async with ZaloClient(TOKEN, fake.base_url) as client:
            with pytest.raises(ZaloUnauthorized) as caught:
                await client.get_me()
    assert caught.value.error_code == 401 and not caught.value.retryable


async def test_unreachable_server_raises_network_error_without_the_token():
    async with ZaloClient(TOKEN, f"http://127.0.0.1:{free_port()}") as client:
        with pytest.raises(ZaloNetworkError) as caught:
            await client.get_me()
    assert TOKEN not in str(caught.value) and caught.value.__cause__ is None


async def test_get_updates_408_means_no_update(fake):
    async with ZaloClient(TOKEN, fake.base_url) as client:
        assert await client.get_updates(timeout=1) == []
    assert fake.count("getUpdates") == 1


async def test_get_updates_http_408_status_also_means_no_update(fake):
    fake.fail("getUpdates", status=408, error_code=408, description="Request Timeout")
    async with ZaloClient(TOKEN, fake.base_url) as client:
        assert await client.get_updates(timeout=1) == []


async def test_get_updates_returns_the_single_update_as_a_list(fake):
    fake.queue_update(text_update("xin chào", chat_id="u7", message_id="m-1"))
    async with ZaloClient(TOKEN, fake.base_url) as client:
        [update] = await client.get_updates(timeout=1)
    assert update["message"]["message_id"] == "m-1"
    assert fake.calls == [("getUpdates", {"timeout": "1"})]


async def test_429_pauses_for_retry_after_then_succeeds(fake):
    fake.fail("sendMessage", status=429, error_code=429, description="Quota exceeded", retry_after=7)
    sleep = RecordedSleep()
    async with ZaloClient(TOKEN, fake.base_url, sleep=sleep) as client:
        await client.send_message("u1", "nhắc lịch")
    assert len(sleep.delays) == 1 and 6.0 < sleep.delays[0] <= 7.0
    assert fake.count("sendMessage") == 2 and len(fake.sent) == 1


async def test_429_without_retry_after_backs_off_exponentially_then_raises(fake):
    fake.fail("sendMessage", times=3, status=200, error_code=429, description="Quota exceeded")
    sleep = RecordedSleep()
    async with ZaloClient(TOKEN, fake.base_url, sleep=sleep, max_429_retries=2, backoff_base=1.0) as client:
        with pytest.raises(ZaloRateLimited) as caught:
            await client.send_message("u1", "nhắc lịch")
    assert [round(d) for d in sleep.delays] == [1, 2]
    assert caught.value.retry_after == 4 and caught.value.retryable
    assert fake.sent == []


async def test_429_pause_holds_back_the_next_call_too(fake):
    fake.fail("sendMessage", status=429, error_code=429, description="Quota exceeded", retry_after=30)
    sleep = RecordedSleep()
    async with ZaloClient(TOKEN, fake.base_url, sleep=sleep) as client:
        with pytest.raises(ZaloRateLimited):
            await client.call("sendMessage", {"chat_id": "u1", "text": "a"}, max_429_retries=0)
        assert client.paused_for > 25
        await client.send_message("u2", "b")
    assert len(sleep.delays) == 1 and sleep.delays[0] > 25


async def test_webhook_methods_round_trip(fake):
    async with ZaloClient(TOKEN, fake.base_url) as client:
        await client.set_webhook("https://example.vn/zalo/webhook", "s" * 16)
        info = await client.get_webhook_info()
        assert info["url"] == "https://example.vn/zalo/webhook"
        await client.delete_webhook()
        assert (await client.get_webhook_info())["url"] == ""
    assert ("setWebhook", {"url": "https://example.vn/zalo/webhook", "secret_token": "s" * 16}) in fake.calls


@pytest.mark.parametrize("text", ["", "x" * 2001])
async def test_send_message_refuses_text_outside_1_to_2000_characters(fake, text):
    async with ZaloClient(TOKEN, fake.base_url) as client:
        with pytest.raises(ValueError):
            await client.send_message("u1", text)
    assert fake.calls == []


@pytest.mark.parametrize("token", ["", "  ", "12345:abc/../x", "123 456"])
def test_malformed_token_is_refused_without_echoing_it(token):
    with pytest.raises(ValueError) as caught:
        ZaloClient(token)
    assert (token.strip() not in str(caught.value)) or not token.strip()


async def test_token_never_appears_in_logs_even_at_debug_level(fake, caplog):
    for name in ("", "httpx", "httpcore", "channels"):  # other tests may have quietened httpx
        caplog.set_level(logging.DEBUG, logger=name)
    fake.fail("sendMessage", status=200, error_code=400, description="Bad Request")
    fake.fail("getMe", status=429, error_code=429, description="Quota exceeded", retry_after=0.01)
    async with ZaloClient(TOKEN, fake.base_url) as client:
        with pytest.raises(ZaloApiError):
            await client.send_message("u1", "a")
        await client.get_me()
        await client.get_updates(timeout=1)
    async with ZaloClient(TOKEN, f"http://127.0.0.1:{free_port()}") as client:
        with pytest.raises(ZaloNetworkError):
            await client.get_me()
    assert any(r.name == "httpx" for r in caplog.records)  # the URLs were logged, with the token hidden
    assert TOKEN not in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text


async def test_long_retry_after_is_not_waited_out_in_the_call(fake):
    fake.fail("sendMessage", status=429, error_code=429, description="Quota exceeded", retry_after=600)
    sleep = RecordedSleep()
    async with ZaloClient(TOKEN, fake.base_url, sleep=sleep, backoff_max=60) as client:
        with pytest.raises(ZaloRateLimited) as caught:
            await client.send_message("u1", "a")
        assert caught.value.retry_after == 600
        with pytest.raises(ZaloRateLimited):  # still paused: refused without calling Zalo
            await client.send_message("u1", "b")
    assert sleep.delays == [] and fake.count("sendMessage") == 1
