#!/usr/bin/env bash
# resource-cleanup on its embedded default, the fs provider: a sample tree of old and new build
# artifacts (ages set with touch -d), then plan, run --yes, a no-op re-run, and stats.
# Everything lands under the directory given (default ./resource-cleanup-demo).
# Needs the built CLI (its bundle): npx -y pnpm@10.34.9 build
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
demo_dir="$(mkdir -p "${1:-resource-cleanup-demo}" && cd "${1:-resource-cleanup-demo}" && pwd)"
cleanup() { node "$here/bin/run.cjs" "$@" --config "$demo_dir/tempered.yml"; }

# state (run records, journal, audit log) in the demo directory, not the operator's
export TEMPERED_STATE_DIR="$demo_dir/state"
# logs at warn: the demo shows each command's result on stdout
export TEMPERED_LOG_LEVEL="${TEMPERED_LOG_LEVEL:-warn}"

# start from scratch
rm -rf "$demo_dir/builds" "$demo_dir/trash" "$demo_dir/state"
builds="$demo_dir/builds"
mkdir -p "$builds/nightly" "$builds/tmp-1234" "$builds/tmp-5678" "$builds/tmp-9999"
for days in 40 30 25 20 12 3 1; do
  f="$builds/app-$(date -u -d "$days days ago" +%Y%m%d).tar.gz"
  head -c $((days * 1000)) /dev/zero > "$f"
  touch -d "$days days ago" "$f"
done
echo "release" > "$builds/app-1.0.0-keep.tar.gz"; touch -d '90 days ago' "$builds/app-1.0.0-keep.tar.gz"
echo "log" > "$builds/nightly/build.log"; touch -d '60 days ago' "$builds/nightly/build.log"
echo "scratch" > "$builds/tmp-1234/obj"; touch -d '20 days ago' "$builds/tmp-1234/obj" "$builds/tmp-1234"
echo "scratch" > "$builds/tmp-5678/obj"; touch -d '2 hours ago' "$builds/tmp-5678/obj"
echo "scratch" > "$builds/tmp-9999/obj"; touch -d '30 days ago' "$builds/tmp-9999/obj" "$builds/tmp-9999"

cat > "$demo_dir/tempered.yml" <<'YAML'
resource-cleanup:
  maxDelete: 20
  rules:
    - name: old-builds              # provider: fs (the default)
      path: builds                  # relative to this file
      match: ["*.tar.gz", "tmp-*/"] # a trailing / matches directories
      olderThan: 14d
      keepLatest: 2                 # per glob: the 2 newest *.tar.gz and tmp-*/ always stay
      protect: ["*keep*"]
    - name: old-logs
      path: builds
      match: ["**/*.log"]
      olderThan: 30d
      trash: trash                  # moved, not deleted; purged after trashRetention
      trashRetention: 7d
YAML

echo "== 1. the sample tree ($builds)"
(cd "$builds" && find . -mindepth 1 | sort)
echo
echo "== 2. plan: every candidate (-) and everything kept (=), with the reason"
cleanup plan
echo
echo "== 3. run --yes (without --yes and without a terminal it refuses, exit 2)"
cleanup run --yes
echo
echo "== 4. the same again: nothing left to delete"
cleanup run --yes
echo
echo "== 5. what is left, and what the trash holds"
(cd "$builds" && find . -mindepth 1 | sort)
(cd "$demo_dir/trash" && find . -mindepth 1 | sort)
echo
echo "== 6. stats, and the audit log (one line before and one after each deletion)"
cleanup stats
wc -l < "$demo_dir/state/resource-cleanup/default/audit.jsonl" | xargs echo "audit lines:"
