#!/usr/bin/env bash
# Paired timing of `cxaudit assess` with two builds on the same synthetic centre.
#
#   bench/assess-pair.sh BEFORE_CHECKOUT AFTER_CHECKOUT [CONTACTS] [RUNS]
#
# Each checkout is a clone of the repository at the commit to time, built
# with `cargo build --release`; each build runs with its own pack
# (`standards/cx-ops`) and plugins (`target/release`). The centre (follow-up
# scenario, seed 1) is generated once with AFTER's binary; then the two
# builds run alternately, RUNS times each, so that drift of the machine
# falls on both. Prints wall time (s) and peak RSS (MB) of every run and the
# medians, with AFTER / BEFORE.
set -euo pipefail
before=$(cd "$1" && pwd); after=$(cd "$2" && pwd)
contacts=${3:-1000000}; runs=${4:-3}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$after/target/release/cxaudit" synth --scenario followup --contacts "$contacts" --seed 1 --out "$work/ev" >/dev/null 2>&1
measure() { # checkout out-dir -> "wall rss"
  local co=$1 out=$2
  /usr/bin/time -f "%e %M" -o "$work/time" "$co/target/release/cxaudit" assess -q \
    --pack "$co/standards/cx-ops" --evidence "$work/ev" --out "$out" \
    --plugins "$co/target/release" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  awk '{printf "%.2f %.0f\n", $1, $2/1024}' "$work/time"
}
: > "$work/before"; : > "$work/after"
for i in $(seq "$runs"); do
  b=$(measure "$before" "$work/out-b"); echo "run $i before: $b s/MB"; echo "$b" >> "$work/before"
  a=$(measure "$after" "$work/out-a"); echo "run $i after:  $a s/MB"; echo "$a" >> "$work/after"
done
median() { sort -n -k"$2" "$1" | awk -v k="$2" '{v[NR]=$k} END {print v[int((NR+1)/2)]}'; }
bw=$(median "$work/before" 1); aw=$(median "$work/after" 1)
bm=$(median "$work/before" 2); am=$(median "$work/after" 2)
echo "contacts $contacts, $runs runs each: median wall before $bw s, after $aw s (after/before $(awk -v a="$aw" -v b="$bw" 'BEGIN{printf "%.3f", a/b}')); peak RSS before $bm MB, after $am MB"
