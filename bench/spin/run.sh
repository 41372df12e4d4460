#!/usr/bin/env bash
# SPIN and umcgcheck on the same configurations of the library-level UMCG
# model (bench/spin/umcg.pml is umcgcheck's model/ in Promela; see
# bench/spin/README.md). For each configuration it runs SPIN's exhaustive
# search (no partial-order reduction) twice, exact and at its best flags
# (hash compaction), and `umcgcheck explore` (no symmetry), checks that
# SPIN's exact search and umcgcheck stored the same states (and says how
# many SPIN's hash compaction lost), and prints states, transitions, time
# to verdict (wall and CPU seconds), states per CPU second, peak memory and
# bytes per state for each. Then the same with both tools' partial-order
# reduction on (SPIN's default; umcgcheck's --por, its default), and SPIN's
# multi-core search (-DNCORE=2) against `umcgcheck --parallel 2` by wall
# time. The last lines are the ratios: partial-order, two cores, then
# `ratio states/s umcgcheck/SPIN: X.XX` and `ratio time SPIN/umcgcheck: X.XX`
# (unreduced, umcgcheck on one core against SPIN at its best, by CPU
# seconds; above 1 means umcgcheck is faster).
#
# Usage: bench/spin/run.sh [--all] [--variant seed|fixed] [--workers N] [--blocks B] [--parallel P]
#   (no flag)   one configuration that takes SPIN a few seconds: seed, 5 workers, 1 block
#   --all       every configuration of the table in README.md, both variants
#   --variant, --workers, --blocks   one configuration of the `single` family
#   --parallel  goroutines of the umcgcheck run the ratio uses (default 1:
#               SPIN's search is sequential); with more than one core a
#               second umcgcheck row uses every core
# Environment: PAN_CFLAGS adds C flags to every pan build (e.g. -DCOLLAPSE);
#   MEMLIM_MB bounds pan's memory (default: 90% of MemAvailable);
#   NCORE_MEMLIM_MB the multi-core pan's (default: MEMLIM_MB, at most 4096:
#   it reserves all of it as shared memory at the start).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

die() { echo "run.sh: $*" >&2; exit 1; }

all=0 variant=seed workers=5 blocks=1 parallel=1
while [ $# -gt 0 ]; do
  case $1 in
    --all) all=1 ;;
    --variant) variant=${2:?}; shift ;;
    --workers) workers=${2:?}; shift ;;
    --blocks) blocks=${2:?}; shift ;;
    --parallel) parallel=${2:?}; shift ;;
    -h|--help) sed -n '2,31p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done
case $variant in seed|fixed) ;; *) die "--variant: seed or fixed" ;; esac

# --- tools -------------------------------------------------------------
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
apt_install() {
  $sudo apt-get install -y -qq "$@" >/dev/null 2>&1 ||
    { $sudo apt-get update -qq >/dev/null && $sudo apt-get install -y -qq "$@" >/dev/null; } ||
    die "cannot install $*"
}
command -v spin >/dev/null || { echo "installing Debian's spin..." >&2; apt_install spin; }
command -v gcc >/dev/null || { echo "installing gcc..." >&2; apt_install gcc; }
[ -x /usr/bin/time ] || { echo "installing time..." >&2; apt_install time; }
command -v go >/dev/null || die "go is needed to build umcgcheck"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/umcgcheck" ./cmd/umcgcheck)

if [ -z "${MEMLIM_MB:-}" ]; then
  MEMLIM_MB=$(awk '/^MemAvailable:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
fi
ncore_memlim=${NCORE_MEMLIM_MB:-$((MEMLIM_MB < 4096 ? MEMLIM_MB : 4096))}
ncpu=$(nproc)
spinver=$(spin -V | awk '{ print $3 }')

# SPIN's flags. Exact: every state vector stored whole, so its state
# count must equal umcgcheck's. Best: the fastest and smallest storage
# pan offers here, hash compaction (-DHC4: a 64-bit hash and 32 more bits
# stored per state instead of the vector), with bound checks and the
# fairness bookkeeping compiled out (-DNOBOUNDCHECK, -DNOFAIR) and -O3.
# -DHC4 may lose states (two states taken for one): the row says how
# many. -DCOLLAPSE is slower and larger than the default on this model.
spin_exact_flags="-O3 -DNOBOUNDCHECK -DNOFAIR"
spin_best_flags="-O3 -DHC4 -DNOBOUNDCHECK -DNOFAIR"

# the totals behind the last lines (sums of states and CPU seconds;
# partial-order: CPU seconds; two cores: wall seconds)
tot_u_states=0 tot_u_secs=0 tot_s_states=0 tot_s_secs=0
tot_por_u_secs=0 tot_por_s_secs=0 por_worst="" por_worst_config="" por_worst_big="" por_worst_big_config=""
tot_nc_u_wall=0 tot_nc_s_wall=0 ncore_na=""
add() { awk -v a="$1" -v b="$2" 'BEGIN { print a + b }'; }

# row NAME STATES TRANSITIONS WALL CPU RSS_KIB [NOTE]
row() {
  awk -v n="$1" -v st="$2" -v tr="$3" -v s="$4" -v c="$5" -v rss="$6" -v note="${7:-}" 'BEGIN {
    if (c < 0.01) c = 0.01
    printf "%-30s %10d %11d %7.2f %7.2f %10.0f %8.0f %8.0f   %s\n", n, st, tr, s, c, st / c, rss / 1024, rss * 1024 / st, note }'
}

# umcg VARIANT N B P [POR [EXPECT]]: runs umcgcheck, with partial-order
# reduction when POR is "por" (default: --no-por), its set of fingerprints
# sized up front for EXPECT states when given (--expect-states, as pan's -w
# sizes pan's); sets u_states u_trans u_secs u_cpu u_rss
umcg() {
  local out=$work/umcg.json rc=0 por=--no-por expect=""
  [ "${5:-}" = por ] && por=""
  [ -n "${6:-}" ] && expect="--expect-states $6"
  # shellcheck disable=SC2086
  /usr/bin/time -f "%e %U %S %M" -o "$work/umcg.time" "$work/umcgcheck" explore --variant "$1" --config single \
    --workers "$2" --blocks "$3" --parallel "$4" --no-symmetry $por --no-liveness $expect --json --quiet >"$out" || rc=$?
  [ $rc -eq 0 ] || die "umcgcheck explore exited $rc (1: a violation, which SPIN's assertions would stop at; 3: incomplete)"
  u_states=$(grep -m1 -o '"states": [0-9]*' "$out" | grep -o '[0-9]*$')
  u_trans=$(grep -m1 -o '"transitions": [0-9]*' "$out" | grep -o '[0-9]*$')
  grep -q '"complete": true' "$out" || die "umcgcheck's search is incomplete"
  if [ -z "$por" ]; then
    grep -q '"partial_order": "on"' "$out" || die "umcgcheck did not apply partial-order reduction"
  fi
  local usr sys
  read -r u_secs usr sys u_rss <"$work/umcg.time"
  u_cpu=$(awk -v a="$usr" -v b="$sys" 'BEGIN { print a + b }')
}

# spin_run VARIANT N B W NAME FLAGS [MEMLIM]: builds and runs pan (FLAGS
# include -DNOREDUCE for no partial-order reduction; -DNCORE=K for the
# multi-core search); sets s_states s_trans s_secs s_cpu s_rss s_mem_states
# s_mem_total. With -DNCORE it does not die: it returns 1 with the reason
# in s_fail.
spin_run() {
  local dir=$work/pan-$1-$2-$3-$5 def="" memlim=${7:-$MEMLIM_MB} soft=0
  case " $6 " in *" -DNCORE="*) soft=1 ;; esac
  s_fail=""
  [ "$1" = fixed ] && def=-DFIXED
  mkdir -p "$dir"
  cp "$here/umcg.pml" "$dir/"
  # -o2: keep write-only variables in the state vector (they are state in
  # umcgcheck, read by its properties); see README.md
  (cd "$dir" && spin -o2 $def -DN="$2" -DB="$3" -a umcg.pml >spin.out 2>&1) ||
    { cat "$dir/spin.out" >&2; die "spin -a failed"; }
  if [ $soft -eq 1 ]; then
    # pan refuses `hidden` variables in a multi-core build (#error), since
    # a state handed to another core carries only the state vector. Every
    # hidden variable of umcg.pml is a temporary written before it is read
    # within one d_step (README.md, "The fields"): none carries anything
    # from one step to the next, so the refusal does not apply here.
    sed -i '/^#define HAS_HIDDEN/d' "$dir/pan.h"
  fi
  # shellcheck disable=SC2086
  if ! (cd "$dir" && gcc $6 -w -DSAFETY -DMEMLIM="$memlim" ${PAN_CFLAGS:-} -o pan pan.c >gcc.out 2>&1); then
    [ $soft -eq 1 ] && { s_fail="gcc: $(grep -m1 error "$dir/gcc.out")"; return 1; }
    cat "$dir/gcc.out" >&2
    die "gcc pan.c failed"
  fi
  (cd "$dir" && /usr/bin/time -f "%e %U %S %M" -o pan.time ./pan -m100000 -w"$4" >pan.out 2>&1) || true
  local p=$dir/pan.out
  if ! grep -q 'errors: 0' "$p" || grep -qiE 'max search depth too small|out of memory|MEMLIM|aborted' "$p"; then
    [ $soft -eq 1 ] && { s_fail="pan: $(grep -v '^cpu[0-9]*: Depth' "$p" | grep -m1 -iE 'error|memory|abort|fail|cannot' || echo "no complete search")"; return 1; }
    cat "$p" >&2
    die "pan did not finish a complete, error-free search (see above)"
  fi
  s_states=$(awk '/states, stored/ { print $1; exit }' "$p")
  s_trans=$(awk '/transitions \(= stored\+matched\)/ { print $1; exit }' "$p")
  s_mem_states=$(awk '/actual memory usage for states/ { print $1; exit }' "$p")
  s_mem_total=$(awk '/total actual memory usage/ { print $1; exit }' "$p")
  local usr sys
  read -r s_secs usr sys s_rss <"$dir/pan.time"
  s_cpu=$(awk -v a="$usr" -v b="$sys" 'BEGIN { print a + b }')
}

# pan_note: pan's own memory figures of the last spin_run
pan_note() {
  awk -v m="$s_mem_states" -v t="$s_mem_total" -v st="$s_states" 'BEGIN {
    printf "pan: %.0f B/state for states, %.0f in all", m * 1048576 / st, t * 1048576 / st }'
}

# compare VARIANT N B
compare() {
  local v=$1 n=$2 b=$3
  echo
  echo "config single, variant $v: 1 server, workers=$n, blocks=$b (blocking syscalls per worker), no faults; symmetry off; partial-order reduction off (SPIN: -DNOREDUCE; umcgcheck: --no-por)"
  # A first, untimed run counts the states: pan's hash table (2^w slots,
  # at least twice the states) and umcgcheck's set (--expect-states) are
  # both sized from that count before the timed runs, so that neither
  # tool's time includes growing its table.
  umcg "$v" "$n" "$b" "$parallel"
  local w count=$u_states
  w=$(awk -v s="$count" 'BEGIN { w = 10; while (2 ^ w < 2 * s) w++; print w }')
  printf "%-30s %10s %11s %7s %7s %10s %8s %8s   %s\n" tool states transitions wall-s cpu-s "states/cpu-s" "peak-MB" "B/state" "(B/state: peak RSS / states; cpu-s: user+sys)"
  spin_run "$v" "$n" "$b" "$w" exact "$spin_exact_flags -DNOREDUCE"
  row "SPIN $spinver exact (-w$w)" "$s_states" "$s_trans" "$s_secs" "$s_cpu" "$s_rss" "$spin_exact_flags; $(pan_note)"
  local exact_states=$s_states exact_trans=$s_trans
  spin_run "$v" "$n" "$b" "$w" best "$spin_best_flags -DNOREDUCE"
  row "SPIN $spinver best (-w$w)" "$s_states" "$s_trans" "$s_secs" "$s_cpu" "$s_rss" "$spin_best_flags; lost $((exact_states - s_states)) states; $(pan_note)"
  umcg "$v" "$n" "$b" "$parallel" "" "$count"
  row "umcgcheck --parallel $parallel" "$u_states" "$u_trans" "$u_secs" "$u_cpu" "$u_rss" "--expect-states $count"
  tot_u_states=$((tot_u_states + u_states)) tot_s_states=$((tot_s_states + s_states))
  tot_u_secs=$(awk -v a="$tot_u_secs" -v b="$u_cpu" 'BEGIN { print a + b }')
  tot_s_secs=$(awk -v a="$tot_s_secs" -v b="$s_cpu" 'BEGIN { print a + b }')
  local us=$u_states ut=$u_trans p2_wall="" best_states=$s_states
  s_states=$exact_states s_trans=$exact_trans
  if [ "$ncpu" -gt 1 ] && [ "$parallel" -ne "$ncpu" ]; then
    umcg "$v" "$n" "$b" "$ncpu" "" "$count"
    row "umcgcheck --parallel $ncpu" "$u_states" "$u_trans" "$u_secs" "$u_cpu" "$u_rss" "(every core) --expect-states $count"
    [ "$ncpu" -eq 2 ] && p2_wall=$u_secs
  fi
  # The documented relation (README.md): the same states; SPIN counts the
  # initial state as one more transition.
  if [ "$s_states" -ne "$us" ]; then
    die "MISMATCH: SPIN stored $s_states states, umcgcheck $us (variant $v, N=$n, B=$b)"
  fi
  if [ "$s_trans" -ne $((ut + 1)) ]; then
    die "MISMATCH: SPIN counted $s_trans transitions, umcgcheck $ut, not $((ut + 1)) (variant $v, N=$n, B=$b)"
  fi
  echo "states agree (SPIN exact): $s_states; transitions agree: SPIN's $s_trans = umcgcheck's $ut + 1 (SPIN counts the initial state)"
  por_rows "$v" "$n" "$b" "$w" "$exact_states" "$us" "$best_states"
  ncore_rows "$v" "$n" "$b" "$w" "$exact_states" "$p2_wall"
}

# por_rows VARIANT N B W EXACT_STATES UMCG_STATES BEST_STATES: both tools
# with their partial-order reduction on (SPIN: pan without -DNOREDUCE;
# umcgcheck: without --no-por), at the flags of the rows above.
por_rows() {
  local v=$1 n=$2 b=$3 w=$4
  echo "partial-order reduction on (SPIN: pan built without -DNOREDUCE; umcgcheck: --por, its default); symmetry off"
  spin_run "$v" "$n" "$b" "$w" exact-por "$spin_exact_flags"
  local por_exact=$s_states
  row "SPIN $spinver exact POR" "$s_states" "$s_trans" "$s_secs" "$s_cpu" "$s_rss" "$spin_exact_flags; $(pan_note)"
  spin_run "$v" "$n" "$b" "$w" best-por "$spin_best_flags"
  row "SPIN $spinver best POR" "$s_states" "$s_trans" "$s_secs" "$s_cpu" "$s_rss" "$spin_best_flags; lost $((por_exact - s_states)) states"
  # As unreduced: an untimed run counts the states, the timed one sizes
  # its set for them (pan's table is -w$w here too).
  umcg "$v" "$n" "$b" "$parallel" por
  umcg "$v" "$n" "$b" "$parallel" por "$u_states"
  row "umcgcheck --parallel $parallel --por" "$u_states" "$u_trans" "$u_secs" "$u_cpu" "$u_rss" \
    "$(awk -v a="$6" -v b="$u_states" 'BEGIN { printf "reduction %.2fx (%d -> %d states); --expect-states %d", a / b, a, b, b }')"
  # The issue's claim, checked: SPIN's reduction removes no state here,
  # because every step of umcg.pml reads or writes global variables.
  echo "SPIN's partial-order reduction: $por_exact states stored (exact), $5 without it: removed $(($5 - por_exact));" \
    "umcgcheck's: $u_states of $6. The reduced state counts differ (each tool's own reduction); each verdict: no violation"
  tot_por_u_secs=$(add "$tot_por_u_secs" "$u_cpu")
  tot_por_s_secs=$(add "$tot_por_s_secs" "$s_cpu")
  local r
  r=$(awk -v s="$s_cpu" -v u="$u_cpu" 'BEGIN { if (u < 0.01) u = 0.01; if (s < 0.01) s = 0.01; printf "%.2f", s / u }')
  # Below 0.1 CPU second a run measures process start-up (umcgcheck's is
  # about 20 ms, pan's 1 ms) more than the search.
  local tiny=""
  awk -v s="$s_cpu" -v u="$u_cpu" 'BEGIN { exit !(s < 0.1 || u < 0.1) }' && tiny=" (under 0.1 CPU s: start-up more than search)"
  echo "ratio time SPIN/umcgcheck (partial-order), this configuration: $r$tiny"
  if [ -z "$por_worst" ] || awk -v a="$r" -v b="$por_worst" 'BEGIN { exit !(a < b) }'; then
    por_worst=$r por_worst_config="$v N=$n B=$b"
  fi
  if [ -z "$tiny" ] && { [ -z "$por_worst_big" ] || awk -v a="$r" -v b="$por_worst_big" 'BEGIN { exit !(a < b) }'; }; then
    por_worst_big=$r por_worst_big_config="$v N=$n B=$b"
  fi
}

# ncore_rows VARIANT N B W EXACT_STATES [P2_WALL]: SPIN's multi-core search
# (-DNCORE=2, at its best flags, no partial-order reduction) against
# umcgcheck --parallel 2 (unreduced), by wall time to verdict. P2_WALL:
# the wall seconds of a --parallel 2 run already made.
ncore_rows() {
  local v=$1 n=$2 b=$3 w=$4
  echo "two cores, wall time to verdict (SPIN -DNCORE=2: separate processes, CPU and peak RSS are the main process's; unreduced)"
  if [ -n "$ncore_na" ]; then
    echo "SPIN $spinver -DNCORE=2: n/a ($ncore_na)"
    return
  fi
  if ! spin_run "$v" "$n" "$b" "$w" ncore "$spin_best_flags -DNOREDUCE -DNCORE=2" "$ncore_memlim"; then
    ncore_na=$s_fail
    echo "SPIN $spinver -DNCORE=2: n/a ($ncore_na)"
    return
  fi
  row "SPIN $spinver best -DNCORE=2" "$s_states" "$s_trans" "$s_secs" "$s_cpu" "$s_rss" \
    "lost $(($5 - s_states)) states; pan: $(awk -v t="$s_mem_total" 'BEGIN { printf "%.0f MB in all", t }')"
  local nc_wall=$s_secs p2=${6:-}
  if [ -z "$p2" ]; then
    umcg "$v" "$n" "$b" 2 "" "$5"
    row "umcgcheck --parallel 2" "$u_states" "$u_trans" "$u_secs" "$u_cpu" "$u_rss" "--expect-states $5"
    p2=$u_secs
  else
    echo "umcgcheck --parallel 2: the row above"
  fi
  tot_nc_s_wall=$(add "$tot_nc_s_wall" "$nc_wall")
  tot_nc_u_wall=$(add "$tot_nc_u_wall" "$p2")
}

if [ $all -eq 1 ]; then
  for v in seed fixed; do
    for nb in "1 1" "2 1" "3 1" "3 2" "4 1" "4 2" "5 1"; do
      # shellcheck disable=SC2086
      compare "$v" $nb
    done
  done
else
  compare "$variant" "$workers" "$blocks"
fi

echo
if [ $all -eq 1 ]; then
  echo "over every configuration: states/s = sum of states / sum of CPU seconds"
fi
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min); ratios: umcgcheck --parallel $parallel against SPIN best ($spin_best_flags), CPU seconds; two cores: wall seconds"
if [ $all -eq 1 ]; then
  echo "partial-order, lowest of the configurations: $por_worst ($por_worst_config); of those taking both tools 0.1 CPU s or more: ${por_worst_big:-none} (${por_worst_big_config:-})"
fi
awk -v u="$tot_por_u_secs" -v s="$tot_por_s_secs" 'BEGIN {
  if (u < 0.01) u = 0.01; if (s < 0.01) s = 0.01
  printf "ratio time SPIN/umcgcheck (partial-order): %.2f\n", s / u }'
if [ -n "$ncore_na" ]; then
  echo "ratio wall time SPIN -DNCORE=2/umcgcheck --parallel 2: n/a"
else
  awk -v u="$tot_nc_u_wall" -v s="$tot_nc_s_wall" 'BEGIN {
    if (u < 0.01) u = 0.01; if (s < 0.01) s = 0.01
    printf "ratio wall time SPIN -DNCORE=2/umcgcheck --parallel 2: %.2f\n", s / u }'
fi
awk -v us="$tot_u_states" -v ut="$tot_u_secs" -v ss="$tot_s_states" -v st="$tot_s_secs" 'BEGIN {
  if (ut < 0.01) ut = 0.01; if (st < 0.01) st = 0.01
  printf "ratio states/s umcgcheck/SPIN: %.2f\n", (us / ut) / (ss / st)
  printf "ratio time SPIN/umcgcheck: %.2f\n", st / ut }'
