"""`zalo set-webhook URL | webhook-info | delete-webhook | me`: setting up the Zalo bot (channels/zalo.py
does the calls and says what happened)."""
from __future__ import annotations

import argparse
import sys

from settings import Settings


def _report(result: tuple[int, str]) -> int:
    code, message = result
    print(message if code == 0 else f"LỖI: {message}", file=sys.stdout if code == 0 else sys.stderr)
    return code


def cmd_zalo_set_webhook(args: argparse.Namespace, settings: Settings) -> int:
    """Point the Zalo bot's webhook at URL, with ZALO_WEBHOOK_SECRET as its secret."""
    from channels.zalo import admin_set_webhook
    return _report(admin_set_webhook(settings, args.url))


def cmd_zalo_webhook_info(args: argparse.Namespace, settings: Settings) -> int:
    """Show where the Zalo bot's webhook points."""
    from channels.zalo import admin_webhook_info
    return _report(admin_webhook_info(settings))


def cmd_zalo_delete_webhook(args: argparse.Namespace, settings: Settings) -> int:
    """Remove the Zalo webhook (for polling during development)."""
    from channels.zalo import admin_delete_webhook
    return _report(admin_delete_webhook(settings))


def cmd_zalo_me(args: argparse.Namespace, settings: Settings) -> int:
    """Check ZALO_BOT_TOKEN with getMe."""
    from channels.zalo import admin_me
    return _report(admin_me(settings))


def add_parsers(sub: argparse._SubParsersAction) -> None:
    z = sub.add_parser("zalo", help="cài đặt bot Zalo: webhook, kiểm tra token")
    zsub = z.add_subparsers(dest="zalo_command", metavar="ACTION", required=True)
    p = zsub.add_parser("set-webhook", help="đặt webhook Zalo tới URL (cần ZALO_WEBHOOK_SECRET)")
    p.add_argument("url", metavar="URL", help="địa chỉ https công khai, ví dụ https://ten-mien.vn/zalo/webhook")
    p.set_defaults(func=cmd_zalo_set_webhook)
    p = zsub.add_parser("webhook-info", help="xem webhook Zalo đang đặt")
    p.set_defaults(func=cmd_zalo_webhook_info)
    p = zsub.add_parser("delete-webhook", help="xóa webhook Zalo (để chạy kiểu polling khi phát triển)")
    p.set_defaults(func=cmd_zalo_delete_webhook)
    p = zsub.add_parser("me", help="kiểm tra ZALO_BOT_TOKEN (getMe)")
    p.set_defaults(func=cmd_zalo_me)
