#!/usr/bin/env bash
# cxaudit against DuckDB on the same synthetic centre.
#
#   bench/duckdb/run.sh [CONTACTS] [RUNS] [-- EXTRA ASSESS ARGS]
#
# Run from a checkout built with `cargo build --release`. Steps:
#  1. DuckDB: the Python package, pinned (DUCKDB_VERSION), installed into a
#     virtual environment under target/bench/venv the first time.
#  2. The centre: `cxaudit synth --scenario followup --seed 1` with CONTACTS
#     contacts requested, into target/bench/centre-CONTACTS (kept for reruns;
#     delete it when done: 2M contacts are about 300 MB of CSV).
#  3. The check: kpis_by_channel.sql (beside this script) must give the values
#     of `cxaudit kpis --by channel --format json`, to a relative 1e-9.
#  4. The runs: `cxaudit kpis --by channel`, `cxaudit assess` (every criterion
#     and every report, plugin isolation on: the default; the plugins found
#     next to the executable, that folder only, as an installed cxaudit finds
#     them: `--plugins target/release` would walk cargo's `deps/` too, 16
#     more libraries hashed and refused, 0.09 s) and DuckDB
#     (kpis.py: Python start-up, CSV reading and the SQL), in turn, RUNS
#     times each, so that drift of the machine falls on all three. Wall time,
#     CPU time (user + system, children included) and peak RSS (the largest
#     single process) from /usr/bin/time.
#  5. The medians and the ratios to DuckDB, then where the time of one
#     `assess` goes (`--timings`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
contacts=${1:-1000000}; runs=${2:-3}
shift $(( $# > 2 ? 2 : $# )); [ "${1:-}" = "--" ] && shift
extra=("$@")
bin="$root/target/release/cxaudit"
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 2; }
work="$root/target/bench"; mkdir -p "$work"

DUCKDB_VERSION=2.0.0
venv="$work/venv"
if ! "$venv/bin/python" -c "import duckdb, sys; sys.exit(duckdb.__version__ != '$DUCKDB_VERSION')" 2>/dev/null; then
  echo "installing duckdb $DUCKDB_VERSION into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install -q "duckdb==$DUCKDB_VERSION"
fi

ev="$work/centre-$contacts"
if [ ! -f "$ev/evidence.toml" ]; then
  echo "synthesising $contacts contacts into $ev" >&2
  "$bin" synth --scenario followup --contacts "$contacts" --seed 1 --out "$ev" >/dev/null 2>&1
fi
echo "centre: $(tail -n +2 "$ev/data/contacts.csv" | wc -l) contact rows, $(du -sm "$ev/data" | cut -f1) MB of CSV"

"$bin" kpis --evidence "$ev" --by channel --format json > "$work/kpis.json" 2>/dev/null
"$venv/bin/python" "$here/kpis.py" "$ev" --quiet --check "$work/kpis.json"

measure() { # name command... -> appends "wall cpu rss" to $work/t-name
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" \
    || { cat "$work/err" >&2; exit 1; }
  awk '{printf "%.2f %.2f %.0f\n", $1, $2 + $3, $4/1024}' "$work/time" | tee -a "$work/t-$name"
}
rm -f "$work"/t-*
for i in $(seq "$runs"); do
  echo "run $i kpis:   $(measure kpis "$bin" kpis --evidence "$ev" --by channel --format json) (wall s, cpu s, MB)"
  echo "run $i assess: $(measure assess "$bin" assess -q --pack "$root/standards/cx-ops" \
    --evidence "$ev" --out "$work/out" ${extra[@]+"${extra[@]}"}) (wall s, cpu s, MB)"
  echo "run $i duckdb: $(measure duckdb "$venv/bin/python" "$here/kpis.py" "$ev" --quiet) (wall s, cpu s, MB)"
done
median() { sort -n -k"$2" "$1" | awk -v k="$2" '{v[NR]=$k} END {print v[int((NR+1)/2)]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
printf "\n%-8s %10s %10s %10s %12s %12s %12s\n" "" "wall s" "cpu s" "peak MB" "wall/duckdb" "cpu/duckdb" "mem/duckdb"
dw=$(median "$work/t-duckdb" 1); dc=$(median "$work/t-duckdb" 2); dm=$(median "$work/t-duckdb" 3)
for name in duckdb kpis assess; do
  w=$(median "$work/t-$name" 1); c=$(median "$work/t-$name" 2); m=$(median "$work/t-$name" 3)
  printf "%-8s %10s %10s %10s %12s %12s %12s\n" "$name" "$w" "$c" "$m" "$(ratio "$w" "$dw")" "$(ratio "$c" "$dc")" "$(ratio "$m" "$dm")"
done
echo "(medians of $runs runs each; $contacts contacts requested)"

echo; echo "where the time of one assess goes:"
"$bin" assess -q --timings --pack "$root/standards/cx-ops" --evidence "$ev" --out "$work/out" \
  ${extra[@]+"${extra[@]}"} 2>&1 >/dev/null | grep '^timing' || true
