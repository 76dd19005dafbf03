#!/usr/bin/env bash
# Watch `reviewbot review` the way a person at a terminal sees it, and keep snapshots.
#
# A throwaway repository gets a change (app/cache.py gains expiry); a slow scripted K2
# server (tests/local/slow_k2.py, its own process on 127.0.0.1) plays a whole review; the
# review runs inside a detached tmux session (a real terminal: live status line, colour),
# and `tmux capture-pane` snapshots the screen every SECONDS until it ends.
#
#   bench/tmux_demo.sh [OUT_DIR] [SECONDS]      # default: a temporary folder, 1.5 s
#
# Needs tmux (Debian/Ubuntu: apt-get install -y tmux) and the project's .venv.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=$ROOT/.venv/bin/python
OUT=${1:-$(mktemp -d -t reviewbot-tmux-XXXX)}
EVERY=${2:-1.5}
SOCKET=reviewbot-demo-$$
WORK=$(mktemp -d -t reviewbot-demo-repo-XXXX)
mkdir -p "$OUT"
command -v tmux >/dev/null || { echo "tmux is not installed (apt-get install -y tmux)" >&2; exit 2; }

# The repository: main with app/cache.py, feature adds expiry.
git init -q -b main "$WORK/repo"
cd "$WORK/repo"
git config user.name Demo && git config user.email demo@example.invalid
mkdir app && : > app/__init__.py
cat > app/cache.py <<'EOF'
import time


class Cache:
    def __init__(self, ttl):
        self.ttl = ttl
        self.items = {}

    def get(self, key):
        value, stamp = self.items[key]
        return value
EOF
git add -A && git commit -q -m initial && git checkout -q -b feature
cat >> app/cache.py <<'EOF'

    def put(self, key, value):
        self.items[key] = (value, time.time())
EOF
sed -i 's/^        return value$/        if time.time() - stamp > self.ttl:\n            return None\n        return value/' app/cache.py
git commit -q -am "cache: expire entries"

# The model: a slow scripted server in its own process.
(cd "$ROOT" && exec "$PY" -m tests.local.slow_k2 --delay 0.03 >"$WORK/url") &
SERVER=$!
cleanup() { kill "$SERVER" 2>/dev/null || true; tmux -L "$SOCKET" kill-server 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 50); do [ -s "$WORK/url" ] && break; sleep 0.1; done
URL=$(head -1 "$WORK/url")

# The review, in a 100x30 terminal.
tmux -L "$SOCKET" new-session -d -s demo -x 100 -y 30 \
  "cd '$WORK/repo' && env REVIEWBOT_PROVIDER=openai-compatible REVIEWBOT_BASE_URL='$URL' \
   REVIEWBOT_API_KEY=sk-demo REVIEWBOT_MAX_RETRY_SECONDS=10 \
   '$PY' -m reviewbot review --base main --show-reasoning; echo \"[exit \$?]\"; sleep 600"

n=0
while :; do
  sleep "$EVERY"
  n=$((n + 1))
  tmux -L "$SOCKET" capture-pane -p -t demo >"$OUT/capture-$(printf %02d $n).txt"
  if grep -q '^\[exit [0-9]*\]' "$OUT/capture-$(printf %02d $n).txt" || [ $n -ge 60 ]; then
    break
  fi
done
echo "$n captures in $OUT"
