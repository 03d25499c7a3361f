#!/usr/bin/env bash
# Feeds examples/socket_to_console.yaml from `rivulet gen sea` over TCP on a free port.
# Usage: examples/socket_to_console.sh [path/to/rivulet] [events]
set -euo pipefail
bin=${1:-build/rivulet}
count=${2:-2000}
cd "$(dirname "$0")/.."
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" gen sea --seed 42 --rate 20000 --count "$count" --listen "$port" &
producer=$!
trap 'kill $producer 2>/dev/null || true' EXIT
"$bin" run examples/socket_to_console.yaml --set source.port="$port"
wait $producer
