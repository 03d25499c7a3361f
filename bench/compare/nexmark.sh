#!/usr/bin/env bash
# Nexmark queries of examples/nexmark/ over 1,000,000 events of `rivulet gen nexmark(seed=0)`:
# events per second per core (CPU time, user + system), with event generation and JSON decoding
# inside the measured time, and without (the generator's own CPU time subtracted), next to the
# published per-core figures (Flink: nexmark's guide; Feldera: its 16-core run divided by 16).
# Usage: bench/compare/nexmark.sh [path/to/rivulet]
set -euo pipefail
bin=${1:-build/rivulet}
cd "$(dirname "$0")/../.."
n=1000000
cpu() { /usr/bin/time -f '%U %S' "$@" 2>&1 >/dev/null | tail -1 | awk '{print $1 + $2}'; }
gen=$(cpu "$bin" gen 'nexmark(seed=0)' --count $n --output /dev/null)
declare -A flink=([q0]=155000 [q1]=158000 [q2]=175000 [q4]=34000 [q5]=22000 [q7]=12300 [q8]=146000 [q9]=14200)
declare -A feldera=([q0]=436000 [q4]=265000 [q5]=412000 [q7]=196000 [q9]=57000)
printf '| query | events/s/core (generation inside) | events/s/core (generation outside) | Flink/core | Feldera/core |\n|---|---|---|---|---|\n'
for q in q0 q1 q2 q3 q4 q5 q7 q8 q9 q11 q14 q15 q16 q17 q18 q19 q20 q21 q22; do
  t=$(cpu "$bin" run "examples/nexmark/$q.yaml" --quiet --set source.count=$n --set sinks.0.path=/dev/null)
  printf '| %s | %.0f | %.0f | %s | %s |\n' "$q" "$(bc -l <<<"$n/$t")" "$(bc -l <<<"$n/($t-$gen)")" \
    "${flink[$q]:-}" "${feldera[$q]:-}"
done
