#!/usr/bin/env bash
# Installs moto (pinned) in a Python venv and starts its server in the background on
# 127.0.0.1, for the live-organization tests (tests/live_org.rs, feature `aws`).
#
# Usage: source this file or run it with bash; it waits until the server answers and writes
#   target/moto/endpoint  the URL (http://127.0.0.1:PORT), read by tests/live_org.rs
#   target/moto/pid       the server's PID, for `kill "$(cat target/moto/pid)"` at the end
#   target/moto/server.log
# PORT: $MOTO_PORT if set, else a free port chosen by the OS.
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION=5.2.1
state=target/moto
venv="${MOTO_VENV:-$state/venv}"
mkdir -p "$state"

if [ ! -x "$venv/bin/moto_server" ] || ! "$venv/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

port="${MOTO_PORT:-}"
if [ -z "$port" ]; then
    port="$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
fi

if [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; then
    kill "$(cat "$state/pid")" 2>/dev/null || true
fi
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >"$state/server.log" 2>&1 &
echo $! >"$state/pid"
echo "http://127.0.0.1:$port" >"$state/endpoint"

for _ in $(seq 1 100); do
    if "$venv/bin/python" -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/', timeout=1)" 2>/dev/null; then
        echo "moto $MOTO_VERSION listening on http://127.0.0.1:$port (pid $(cat "$state/pid"))"
        exit 0
    fi
    if ! kill -0 "$(cat "$state/pid")" 2>/dev/null; then
        echo "moto_server exited; log:" >&2
        cat "$state/server.log" >&2
        exit 1
    fi
    sleep 0.2
done
echo "moto_server did not answer on port $port within 20 s; log:" >&2
cat "$state/server.log" >&2
exit 1
