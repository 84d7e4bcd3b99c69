#!/usr/bin/env bash
# Deploys examples/sample-app to a local directory target: release 1.0.0, a no-op redeploy,
# release 2.0.0, list, rollback, status. The app is started by its afterSwitch hook
# (examples/sample-app/bin/restart.sh) and health-checked on a free port; it is stopped on exit.
# Needs the built CLI (its bundle): npx -y pnpm@10.34.9 build
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
demo_dir="$(mkdir -p "${1:-deploy-demo}" && cd "${1:-deploy-demo}" && pwd)"
deploy() { node "$here/bin/run.cjs" "$@" --config "$repo/examples/deploy/tempered.yml"; }

export DEMO_DIR="$demo_dir"
# a free port on 127.0.0.1: bind 0, read it, let it go
PORT="$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
export PORT
# logs at error: the demo shows each command's result on stdout (the health check's retries
# while the app boots would otherwise print a warning each)
export TEMPERED_LOG_LEVEL="${TEMPERED_LOG_LEVEL:-error}"

stop_app() {
  local pidfile="$demo_dir/target/shared/app.pid"
  [ -f "$pidfile" ] || return 0
  local pid
  pid="$(cat "$pidfile")"
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}
trap stop_app EXIT

# start from scratch: an app an earlier demo left running, then its target, state and build
stop_app
rm -rf "$demo_dir/target" "$demo_dir/state" "$demo_dir/build"

served() { node -e "fetch('http://127.0.0.1:$PORT/').then((r) => r.text()).then((t) => process.stdout.write('app says: ' + t), () => console.log('app not answering'))"; }

build="$demo_dir/build"
mkdir -p "$build"
cp -R "$repo/examples/sample-app/." "$build/"

echo "== 1. release 1.0.0 (target: $demo_dir/target, app on port $PORT)"
echo "1.0.0" > "$build/VERSION"
deploy release "$build" --version 1.0.0
served
echo
echo "== 2. the same build again: already deployed, nothing to do"
deploy release "$build"
echo
echo "== 3. release 2.0.0"
echo "2.0.0" > "$build/VERSION"
deploy release "$build" --version 2.0.0
served
echo
echo "== 4. list"
deploy list
echo
echo "== 5. rollback (dry-run first, then for real)"
deploy rollback --dry-run
deploy rollback
served
echo
echo "== 6. status"
deploy status
