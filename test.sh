#!/usr/bin/env bash
# Set up everything the tests need (Python venv, npm emulator) and run every test.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
if [ -f package.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
.venv/bin/python bot.py knowledge check
.venv/bin/python -m pytest -q "$@"
