#!/usr/bin/env bash
# The cost of checkpoints measured in pairs run at the same time: a run without checkpoints
# and a run with one every second start together, each held to one CPU of its own (taskset),
# the CPUs swapped from one pair to the next. Both see the machine as it is during those
# seconds, so the drift of a shared machine's speed over minutes (tens of percent here) falls
# out of each pair's ratio; what a CPU gives compared to the other falls out of the swap.
#
# Each run has one CPU for all its threads (input, sink, checkpoint writer, a forked
# snapshot's child), so every microsecond of checkpoint work is taken from processing: a
# stricter test than runs with the whole machine, where that work can use an idle core.
# Prints each pair's records/s and ratio, then per pipeline the median ratio and its range.
# Pipelines as in checkpoints.sh: examples/fraud.yaml at 720,000 events; Nexmark q17 and q5
# at 6,000,000 events. Needs 2 CPUs.
# Usage: [RUNS=9] [CASES="fraud q17 q5"] [CPUS="0 1"] bench/compare/checkpoints_paired.sh [path/to/rivulet]
set -euo pipefail
export LC_ALL=C
bin=$(realpath "${1:-$(dirname "$0")/../../build/rivulet}")
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
# The run without checkpoints writes into memory (/dev/shm when there is one): on ext4 a
# checkpoint's fsync commits the journal, which would wait for that run's output too.
mem=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$tmp" "$mem"' EXIT
cases=(${CASES:-fraud q17 q5})
runs=${RUNS:-9}
read -r cpu_a cpu_b <<<"${CPUS:-0 1}"
args_of() {  # case, output directory: the arguments of `rivulet run`
  case $1 in
    fraud) a=(examples/fraud.yaml --set source.count=720000 --set "dead_letters.path=$2/dead.jsonl") ;;
    q17) a=(examples/nexmark/q17.yaml --set source.count=6000000) ;;
    q5) a=(examples/nexmark/q5.yaml --set source.count=6000000) ;;
  esac
  a+=(--set "sinks.0.path=$2/out.jsonl")
}
median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }
range() { printf '%s\n' "$@" | sort -g | sed -n '1p;$p' | paste -sd'-'; }
rps_of() { sed -nE 's/^rivulet: records in .* \(([0-9.]+) s, ([0-9]+) records\/s\)$/\2/p' "$1"; }
declare -A row
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); CPUs $cpu_a and $cpu_b"
for c in "${cases[@]}"; do
  ratios=() nones=() withs=() forked=()
  for i in $(seq "$runs"); do
    # Odd pairs: without on the first CPU; even pairs: swapped.
    if ((i % 2)); then cpu_none=$cpu_a cpu_with=$cpu_b; else cpu_none=$cpu_b cpu_with=$cpu_a; fi
    rm -rf "$mem/none" "$tmp/with"
    mkdir "$mem/none" "$tmp/with"
    args_of "$c" "$mem/none"
    taskset -c "$cpu_none" "$bin" run "${a[@]}" >/dev/null 2>"$tmp/none.err" &
    p_none=$!
    args_of "$c" "$tmp/with"
    taskset -c "$cpu_with" "$bin" run "${a[@]}" --set "checkpoint={dir: $tmp/with/chk, interval: 1s}" \
      >/dev/null 2>"$tmp/with.err" &
    p_with=$!
    wait "$p_none" || { cat "$tmp/none.err"; exit 1; }
    wait "$p_with" || { cat "$tmp/with.err"; exit 1; }
    n=$(rps_of "$tmp/none.err") w=$(rps_of "$tmp/with.err")
    line=$(sed -n 's/^  checkpoints: //p' "$tmp/with.err")
    forked+=("$(sed -nE 's/.*, ([0-9]+) snapshots? forked.*/\1/p' <<<"$line")")
    [[ -n ${forked[-1]} ]] || forked[-1]=0
    nones+=("$n") withs+=("$w")
    ratios+=("$(printf '%.3f' "$(bc -l <<<"$w/$n")")")
    printf '%-5s pair %s (without on CPU %s): %s and %s records/s: %s; checkpoints: %s\n' \
      "$c" "$i" "$cpu_none" "$n" "$w" "${ratios[-1]}" "$line"
  done
  printf '%-5s pairs: %s; median %s (range %s)\n' "$c" "${ratios[*]}" "$(median "${ratios[@]}")" \
    "$(range "${ratios[@]}")"
  row[$c]=$(printf '| %s | %s | %s | **%s** | %s | %s |' "$c" "$(median "${nones[@]}")" \
    "$(median "${withs[@]}")" "$(median "${ratios[@]}")" "$(range "${ratios[@]}")" \
    "$(range "${forked[@]}")")
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '\n| pipeline | records/s without (median) | with a checkpoint every 1 s (median) '
printf '| ratio, median of pairs | range | snapshots forked a run |\n|---|---|---|---|---|---|\n'
for c in "${cases[@]}"; do echo "${row[$c]}"; done
