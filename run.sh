#!/usr/bin/env bash
# Set up (virtual environment, dependencies) and run the assistant.
# With no TELEGRAM_BOT_TOKEN / ZALO_BOT_TOKEN (env or .env) this opens the terminal chat.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
exec .venv/bin/python bot.py run "$@"
