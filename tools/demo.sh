#!/usr/bin/env bash
# The README's main job: each product CLI on its embedded default, one after the other.
# No config of the operator's, no servers of theirs, no accounts; everything lands under ./tempered-demo.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(pwd)/tempered-demo"
mkdir -p "$out"

for cli in file-sync deploy resource-cleanup; do
  script="$repo/packages/$cli/demo.sh"
  [ -x "$script" ] || [ -f "$script" ] || continue
  echo
  echo "################ $cli ################"
  bash "$script" "$out/$cli"
done
