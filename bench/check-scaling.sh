#!/usr/bin/env bash
# Time and memory of `check`'s linearizability search against a trace's
# length and against the number of operations pending at once, beside
# porcupine alone on a register history of the same shape.
# Usage: bench/check-scaling.sh [BENCH_REGEXP]
# Prints a Markdown table (the one in docs/performance.md). Each row is a
# separate process (lincheck's BenchmarkCheckScale and
# BenchmarkCheckConcurrency, one iteration), so its peak RSS is its own;
# user CPU seconds say more than wall time on a shared machine. The load
# average at the start and at the end goes to stderr (run it under nice
# on a shared machine, and give the load with the table).
set -euo pipefail
cd "$(dirname "$0")/.."
filter=${1:-.}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go test -c -o "$dir/lincheck.test" ./lincheck
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
rows() {
  for n in 1000 10000 100000 1000000; do
    for c in lincheck porcupine-register; do echo "CheckScale/ops=$n/checker=$c"; done
  done
  for k in 1 2 4 8; do
    for c in lincheck porcupine-register; do echo "CheckConcurrency/clients=$k/checker=$c"; done
  done
}
echo "| benchmark | checker | most ops pending at once | wall s | user s | ops/s (wall) | peak heap MiB | peak RSS MiB |"
echo "|---|---|---|---|---|---|---|---|"
for row in $(rows | grep -E -- "$filter"); do
  name=${row%/checker=*}; checker=${row#*/checker=}
  pattern="^Benchmark${name%%/*}\$/^${name#*/}\$/^checker=${checker}\$"
  set +e
  /usr/bin/time -f "%U %M" -o "$dir/time" "$dir/lincheck.test" -test.run XXX -test.bench "$pattern" \
    -test.benchtime 1x -test.v >"$dir/out" 2>&1
  set -e
  read -r user rss <"$dir/time"
  line=$(grep -E "^Benchmark${name%%/*}/.*ns/op" "$dir/out" | head -1 || true)
  if [ -z "$line" ]; then
    why=$(grep -E 'scale_test.go' "$dir/out" | tail -1 | sed 's/^ *//' || true)
    echo "| ${name} | ${checker} | | | | not run: ${why#*: } | | |"
    continue
  fi
  python3 - "$line" "$name" "$checker" "$user" "$rss" <<'PY'
import sys
f = sys.argv[1].split()
name, checker, user, rss = sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
m = {f[i + 1]: float(f[i]) for i in range(2, len(f) - 1, 2)}
print(f"| {name} | {checker} | {m['max-pending']:.0f} | {m['ns/op']/1e9:.2f} | {user:.2f} "
      f"| {m['ops/s']:,.0f} | {m['peak-heap-MiB']:.0f} | {rss/1024:.0f} |")
PY
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
