#!/usr/bin/env bash
# Paired timing of `cxaudit assess` with plugins in child processes (the
# default) and in cxaudit's own process, on the same synthetic centre.
#
#   bench/isolation.sh CHECKOUT [CONTACTS] [RUNS]
#
# CHECKOUT is built with `cargo build --release` first. The centre (follow-up
# scenario, seed 1) is generated once; then the two modes run alternately,
# RUNS times each, so that drift of the machine falls on both. Prints wall
# time (s), CPU time (user + system, s, children included: the figure that
# other load on the machine disturbs least) and peak RSS (MB, the largest
# single process: cxaudit or one of its plugin children) of every run and
# the medians, with process / none.
set -euo pipefail
co=$(cd "$1" && pwd)
contacts=${2:-1000000}; runs=${3:-3}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$co/target/release/cxaudit" synth --scenario followup --contacts "$contacts" --seed 1 --out "$work/ev" >/dev/null 2>&1
measure() { # isolation -> "wall cpu rss"
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$co/target/release/cxaudit" assess -q \
    --isolation "$1" --pack "$co/standards/cx-ops" --evidence "$work/ev" --out "$work/out-$1" \
    --plugins "$co/target/release" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  awk '{printf "%.2f %.2f %.0f\n", $1, $2 + $3, $4/1024}' "$work/time"
}
: > "$work/none"; : > "$work/process"
for i in $(seq "$runs"); do
  n=$(measure none); echo "run $i none:    $n (wall s, cpu s, MB)"; echo "$n" >> "$work/none"
  p=$(measure process); echo "run $i process: $p (wall s, cpu s, MB)"; echo "$p" >> "$work/process"
done
median() { sort -n -k"$2" "$1" | awk -v k="$2" '{v[NR]=$k} END {print v[int((NR+1)/2)]}'; }
nw=$(median "$work/none" 1); pw=$(median "$work/process" 1)
nc=$(median "$work/none" 2); pc=$(median "$work/process" 2)
nm=$(median "$work/none" 3); pm=$(median "$work/process" 3)
# The findings must not depend on where the plugins ran.
diff <(grep -v '"isolation"\|evaluator_timeout_seconds\|plugin_memory_mib' "$work/out-none/assessment.json") \
     <(grep -v '"isolation"\|evaluator_timeout_seconds\|plugin_memory_mib' "$work/out-process/assessment.json") >/dev/null \
  || echo "WARNING: the two modes' assessments differ beyond the execution record"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a/b}'; }
echo "contacts $contacts, $runs runs each: median wall none $nw s, process $pw s (process/none $(ratio "$pw" "$nw")); median cpu none $nc s, process $pc s (process/none $(ratio "$pc" "$nc")); peak RSS none $nm MB, process $pm MB"
