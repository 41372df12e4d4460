#!/usr/bin/env bash
# States, time and memory of a complete exploration as workers grow.
# Usage: bench/explore-scaling.sh [MAX_WORKERS] [TIME_LIMIT]
# Prints a Markdown table (the one in docs/performance.md). Each run is a
# separate process, so the peak RSS is that run's own.
set -euo pipefail
cd "$(dirname "$0")/.."
max=${1:-5}
limit=${2:-600s}
bin=$(mktemp -d)/umcgcheck
go build -o "$bin" ./cmd/umcgcheck
echo "| config | workers | symmetry | states | transitions | complete | seconds | states/s | peak RSS MiB | bytes/state |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for w in $(seq 1 "$max"); do
  for sym in off on; do
    flag=""; [ "$sym" = off ] && flag="--no-symmetry"
    out=$(mktemp)
    set +e
    /usr/bin/time -f "%e %M" -o "$out.time" "$bin" explore --variant fixed --config single --workers "$w" \
      --time-limit "$limit" --quiet --json $flag >"$out"
    set -e
    read -r secs rss <"$out.time"
    python3 - "$out" "$w" "$sym" "$secs" "$rss" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
w, sym, secs, rss = sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
st = r["states"]
print(f"| single | {w} | {sym} | {st} | {r['transitions']} | {'yes' if r['complete'] else 'NO ('+r.get('stopped','')+')'} "
      f"| {secs:.2f} | {st/max(secs,0.01):.0f} | {rss/1024:.0f} | {rss*1024/st:.0f} |")
PY
    rm -f "$out" "$out.time"
  done
done
