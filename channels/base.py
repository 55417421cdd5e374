"""What every channel shares."""
from __future__ import annotations


class ConfigError(Exception):
    """A setting that prevents starting; the message (Vietnamese) tells what to fix."""
