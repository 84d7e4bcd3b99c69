#!/bin/sh
# deploy's afterSwitch hook: (re)start the app from `current`, in the background.
# deploy runs it in the release directory with DEPLOY_TARGET, DEPLOY_RELEASE... in the environment.
# The pid lives in shared/, so whichever release runs this finds the server an earlier one started.
set -eu
shared="$DEPLOY_TARGET/shared"
pidfile="$shared/app.pid"
mkdir -p "$shared/logs"

if [ -f "$pidfile" ]; then
  pid="$(cat "$pidfile")"
  if kill "$pid" 2>/dev/null; then
    # bounded wait (5 s) for the old server to let go of the port
    i=0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  fi
  rm -f "$pidfile"
fi

nohup node "$DEPLOY_TARGET/current/server.js" >>"$shared/logs/app.log" 2>&1 &
echo "$!" >"$pidfile"
echo "started release $DEPLOY_RELEASE (pid $!)"
