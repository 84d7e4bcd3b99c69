#!/usr/bin/env bash
# The workspace's main job on its embedded default: file-sync on a sample tree, no config, no
# servers, no accounts. Everything (trees and run state) lives under one directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="${1:-file-sync-demo}"
src="$root/source"
dst="$root/destination"
state="$root/state"
# logs go to stderr (human lines at a terminal, JSON under cron); warnings and errors only here
file_sync() { node "$here/bin/run.cjs" "$@" --state-dir "$state" --log-level warn; }

rm -rf "$root"
mkdir -p "$src/docs/guides/advanced" "$src/empty dir" "$src/assets"
printf '# Sample site\n' > "$src/README.md"
printf 'Getting started\n' > "$src/docs/guides/start.md"
printf 'Deep dive\n' > "$src/docs/guides/advanced/deep.md"
printf 'body { margin: 0 }\n' > "$src/assets/site.css"
printf 'spaces in the name\n' > "$src/assets/logo final (v2).txt"
printf 'a newline in the name\n' > "$src/docs/"$'two\nlines.txt'
printf 'unicode name\n' > "$src/docs/résumé-ファイル.txt"
printf 'leading dash\n' > "$src/-notes.txt"
ln -s docs/guides/start.md "$src/START_HERE"

echo "== 1. dry run: the itemised plan, nothing written"
file_sync sync "$src" "$dst" --dry-run
echo
echo "== 2. sync"
file_sync sync "$src" "$dst"
echo
echo "== 3. sync again: idempotent, nothing to copy"
file_sync sync "$src" "$dst"
echo
echo "== 4. change a file and delete one in the source, then sync (without --delete nothing is removed)"
printf '# Sample site, edited\n' > "$src/README.md"
rm "$src/assets/site.css"
file_sync sync "$src" "$dst"
echo
echo "== 5. --delete --dry-run: what --delete would remove"
file_sync sync "$src" "$dst" --delete --dry-run
echo
echo "== 6. sync --delete"
file_sync sync "$src" "$dst" --delete
echo
echo "== 7. stats from the run records"
file_sync stats --since 1d
