"""Helpers for tests that run the bot as a separate process."""
from __future__ import annotations

import asyncio
import signal
import subprocess


async def stop_process(process: subprocess.Popen, timeout: float = 20) -> int:
    """SIGTERM, wait up to `timeout` seconds (then kill); the exit code."""
    process.send_signal(signal.SIGTERM)
    try:
        return await asyncio.to_thread(process.wait, timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()
