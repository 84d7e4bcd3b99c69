#!/usr/bin/env bash
# The workspace's main job on its embedded default: no config, no servers, no accounts.
# Shows the lifecycle every Tempered CLI shares: dry-run, apply, idempotent re-run, stats.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
demo() { node "$here/bin/run.cjs" "$@"; }
target="${1:-tempered-demo-output}"

echo "== 1. dry run: the plan, nothing written"
demo apply "$target" --dry-run
echo
echo "== 2. apply"
demo apply "$target"
echo
echo "== 3. apply again: idempotent, nothing to do"
demo apply "$target"
echo
echo "== 4. stats from the run records"
demo stats --since 1d
