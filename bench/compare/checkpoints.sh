#!/usr/bin/env bash
# The cost of checkpoints in whole `rivulet run`s: records/s with no checkpoints and with one
# every second (RUNS runs each, 5 by default, alternating in ABBA order, fresh checkpoint
# directory each time): the ratio of their medians, and the ratio of each run with checkpoints
# to the runs without next to it in time (their median and range, and their geometric mean
# with its 95% confidence interval); the share of each run the
# steps' threads spent on checkpoints, from the report's "checkpoint cost" line; what the
# checkpoints were (count, bytes, pauses); and recovery: a run with checkpoints killed (SIGKILL) halfway, then resumed; the
# resumed run's time from its plan to "resuming from" is loading the latest checkpoint
# (reading and verifying every part) plus restoring it into the steps. The resumed run's
# output, its committed parts in order, is compared with an uninterrupted run's. Each run's CPU
# time (user + system, by /usr/bin/time: the process and its reaped children) is printed, and
# their medians each way. Pipelines:
# examples/fraud.yaml (its ARF and over state) at 720,000 events; Nexmark q17 (a 1-day window
# per auction: keyed state that grows all run) and q5 (hopping windows per auction: small
# state) at 6,000,000 events. Outputs go to a temporary directory, removed at the end.
# Usage: [RUNS=5] [CASES="fraud q17 q5"] [CHECKPOINT="incremental: true"] [FRAUD_EVENTS=720000]
#        bench/compare/checkpoints.sh [path/to/rivulet]
set -euo pipefail
export LC_ALL=C
bin=$(realpath "${1:-$(dirname "$0")/../../build/rivulet}")
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cases=(${CASES:-fraud q17 q5})
runs=${RUNS:-5}
args_of() {  # case: the arguments of `rivulet run`, output under $tmp/run
  case $1 in
    fraud) a=(examples/fraud.yaml --set "source.count=${FRAUD_EVENTS:-720000}"
              --set "dead_letters.path=$tmp/run/dead.jsonl") ;;
    q17) a=(examples/nexmark/q17.yaml --set source.count=6000000) ;;
    q5) a=(examples/nexmark/q5.yaml --set source.count=6000000) ;;
  esac
  a+=(--set "sinks.0.path=$tmp/run/out.jsonl")
}
# CHECKPOINT: more checkpoint settings, e.g. CHECKPOINT="incremental: true".
chk=(--set "checkpoint={dir: $tmp/run/chk, interval: 1s${CHECKPOINT:+, $CHECKPOINT}}")
median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }
to_ms() { awk '{v = $1; u = $2; if (u == "s") v *= 1000; else if (u == "µs") v /= 1000;
                else if (u == "ns") v /= 1e6; printf "%.1f", v}' <<<"$1"; }
# Each line of stdin with the wall clock (epoch seconds) it was read at.
stamp() { local line; while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done; }
fresh() { rm -rf "$tmp/run"; mkdir "$tmp/run"; }
largest_kept() {
  "$bin" checkpoint list "$tmp/run/chk" | awk 'NR > 1 && $3 ~ /^[0-9]+$/ && $3 > m {m = $3} END {print m + 0}'
}
# The output: out.jsonl, or with checkpoints its committed parts out-0.jsonl, out-1.jsonl, ...
committed() { find "$tmp/run" -maxdepth 1 -name 'out*.jsonl' | sort -V | xargs cat; }
range() { printf '%s\n' "$@" | sort -g | sed -n '1p;$p' | paste -sd'-'; }  # smallest-largest
declare -A row
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for c in "${cases[@]}"; do
  args_of "$c"
  none=() with=() pauses=() bytes=() counts=() secs=() costs=() order=() cpu_none=() cpu_with=()
  for i in $(seq "$runs"); do
    # ABBA: without first in odd rounds, with first in even ones, so that a drift of the
    # machine's speed over the minutes favours neither.
    variants=(none 1s)
    ((i % 2 == 0)) && variants=(1s none)
    for v in "${variants[@]}"; do
      fresh
      extra=()
      [[ $v == 1s ]] && extra=("${chk[@]}")
      /usr/bin/time -f '%U %S' -o "$tmp/cpu" "$bin" run "${a[@]}" "${extra[@]}" >/dev/null \
        2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
      cpu=$(awk '{printf "%.2f", $1 + $2}' "$tmp/cpu")
      rps=$(sed -nE 's/^rivulet: records in .* \(([0-9.]+) s, ([0-9]+) records\/s\)$/\2/p' "$tmp/err")
      line=""
      order+=("$v:$rps")
      if [[ $v == none ]]; then
        none+=("$rps")
        cpu_none+=("$cpu")
        [[ $i == "$runs" ]] && mv "$tmp/run/out.jsonl" "$tmp/reference.jsonl"
      else
        with+=("$rps")
        cpu_with+=("$cpu")
        secs+=("$(sed -nE 's/^rivulet: records in .* \(([0-9.]+) s, .*/\1/p' "$tmp/err")")
        line=$(sed -n 's/^  checkpoints: //p' "$tmp/err")
        pauses+=("$(to_ms "$(sed -nE 's/.*, longest ([0-9.]+ [^)]+)\).*/\1/p' <<<"$line")")")
        counts+=("$(sed -nE 's/^([0-9]+) completed.*/\1/p' <<<"$line")")
        bytes+=("$(largest_kept)")
        # What the report adds up: the pauses' share of the run, plus the page faults' after
        # forks (the steps' threads' time on checkpoints, a share the machine's speed barely moves).
        cost=$(sed -n 's/^  checkpoint cost: //p' "$tmp/err")
        costs+=("$(awk '{n = 0; while (match($0, /\(([0-9.]+)%/)) {
                            n += substr($0, RSTART + 1, RLENGTH - 2); $0 = substr($0, RSTART + RLENGTH)}
                          printf "%.2f", n}' <<<"$cost")")
        line="; checkpoints: $line; largest kept: ${bytes[-1]} bytes; steps' time on them: ${costs[-1]}%"
      fi
      printf '%-5s %-4s run %s: %s records/s, %s s of CPU%s\n' "$c" "$v" "$i" "$rps" "$cpu" "$line"
    done
  done
  mn=$(median "${none[@]}") mw=$(median "${with[@]}")
  ratio=$(bc -l <<<"$mw/$mn")
  printf '%-5s median: %s records/s without, %s with a checkpoint every 1 s: %.3f\n' "$c" "$mn" "$mw" "$ratio"
  # Each run with checkpoints against the mean of the runs without next to it in time (the
  # last before it and the first after it): the machine's speed drifts by tens of percent
  # over minutes, less between neighbouring runs.
  mapfile -t pairs < <(printf '%s\n' "${order[@]}" | awk -F: '
    {v[NR] = $1; r[NR] = $2}
    END {
      for (i = 1; i <= NR; ++i) {
        if (v[i] == "none") continue
        s = 0; n = 0
        for (j = i - 1; j >= 1; --j) if (v[j] == "none") {s += r[j]; ++n; break}
        for (j = i + 1; j <= NR; ++j) if (v[j] == "none") {s += r[j]; ++n; break}
        printf "%.3f\n", r[i] / (s / n)
      }
    }')
  pair_ratio=$(median "${pairs[@]}")
  # Their geometric mean and its 95% confidence interval (Student's t over the log ratios; the
  # t quantile by Cornish-Fisher's expansion): what the runs can tell of the true ratio.
  read -r gmean lo hi < <(printf '%s\n' "${pairs[@]}" | awk '
    {x[NR] = log($1); s += x[NR]}
    END {
      n = NR; m = s / n
      if (n < 2) {printf "%.3f - -\n", exp(m); exit}
      for (i = 1; i <= n; ++i) v += (x[i] - m) ^ 2
      sd = sqrt(v / (n - 1)); d = n - 1; z = 1.959964
      t = z + (z^3 + z) / (4 * d) + (5 * z^5 + 16 * z^3 + 3 * z) / (96 * d^2) \
            + (3 * z^7 + 19 * z^5 + 17 * z^3 - 15 * z) / (384 * d^3)
      h = t * sd / sqrt(n)
      printf "%.3f %.3f %.3f\n", exp(m), exp(m - h), exp(m + h)
    }')
  printf '%-5s run by run, geometric mean %s, 95%% confidence interval %s-%s\n' "$c" "$gmean" "$lo" "$hi"
  printf '%-5s run by run: %s; median %s\n' "$c" "${pairs[*]}" "$pair_ratio"
  cost_median=$(median "${costs[@]}")
  printf "%-5s steps' time on checkpoints: %s; median %s%% of the run\n" "$c" "${costs[*]}" "$cost_median"
  # CPU time of the whole process, its threads and reaped children (forked snapshots) all
  # counted: what checkpoints cost wherever it lands, which records/s shows only as far as it
  # slows the pipeline's thread.
  printf '%-5s CPU (user + system, forks included): median %s s without, %s s with (%+.1f%%)\n' \
    "$c" "$(median "${cpu_none[@]}")" "$(median "${cpu_with[@]}")" \
    "$(bc -l <<<"($(median "${cpu_with[@]}") / $(median "${cpu_none[@]}") - 1) * 100")"

  # Recovery: kill a run with checkpoints halfway, resume it, and time the resume.
  fresh
  "$bin" run "${a[@]}" "${chk[@]}" >/dev/null 2>"$tmp/err" &
  pid=$!
  half=$(bc -l <<<"$(median "${secs[@]}") / 2")
  sleep "$half"
  kill -KILL "$pid"
  { wait "$pid"; } 2>/dev/null || true
  loaded=$("$bin" checkpoint list "$tmp/run/chk" | awk '/latest/ {print $1 " (" $3 " bytes)"}')
  t0=$EPOCHREALTIME
  "$bin" run "${a[@]}" "${chk[@]}" 2>&1 >/dev/null | stamp >"$tmp/resume.log" || true
  t_plan=$(awk '/ rivulet: pipeline /{print $1; exit}' "$tmp/resume.log")
  t_resumed=$(awk '/ rivulet: resuming from /{print $1; exit}' "$tmp/resume.log")
  if [[ -z $t_resumed ]]; then
    echo "$c recovery: the run did not resume:"
    cat "$tmp/resume.log"
    restore="-" total="-"
  else
    restore=$(bc -l <<<"($t_resumed - $t_plan) * 1000")
    total=$(bc -l <<<"($t_resumed - $t0) * 1000")
    restore=$(printf '%.0f' "$restore") total=$(printf '%.0f' "$total")
  fi
  rest=$(sed -nE 's/^[0-9.]+ rivulet: records in ([0-9]+),.*/\1/p' "$tmp/resume.log")
  if committed | cmp -s - "$tmp/reference.jsonl"; then
    same="identical to an uninterrupted run's"
  elif cmp -s <(committed | sort) <(sort "$tmp/reference.jsonl"); then
    same="the same rows as an uninterrupted run's, in another order"
  else
    same="DIFFERENT from an uninterrupted run's ($(committed | wc -l) rows, not"
    same+=" $(wc -l <"$tmp/reference.jsonl"))"
  fi
  printf '%-5s recovery: killed after %.1f s, resumed from checkpoint %s; load + restore %s ms, ' \
    "$c" "$half" "$loaded" "$restore"
  printf 'process start to resumed %s ms; %s records after it; output %s\n' "$total" "$rest" "$same"
  row[$c]=$(printf '| %s | %s | %s | %.3f | %s (%s) | %s (%s-%s) | %s%% (%s) | %s | %s | %s ms | %s ms (%s) |' "$c" "$mn" "$mw" \
    "$ratio" "$pair_ratio" "$(range "${pairs[@]}")" "$gmean" "$lo" "$hi" "$cost_median" "$(range "${costs[@]}")" \
    "$(range "${counts[@]}")" "$(range "${bytes[@]}")" "$(range "${pauses[@]}")" "$restore" "$total")
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '\n| pipeline | records/s, no checkpoints | a checkpoint every 1 s | ratio of medians '
printf "| run by run: median (range) | run by run: geometric mean (95%% confidence) "
printf "| steps' time on checkpoints: median (range) "
printf '| checkpoints a run | largest kept (bytes) | longest pause a run '
printf '| recovery: load + restore (process start to resumed) |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|\n'
for c in "${cases[@]}"; do echo "${row[$c]}"; done
