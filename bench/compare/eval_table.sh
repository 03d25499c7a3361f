#!/usr/bin/env bash
# Whole `rivulet eval` runs on the shipped datasets: best wall time of 5 runs (process start,
# decompression, parsing, features, model, metric) and microseconds per sample, for the table of
# docs/benchmarks.md. River cannot be installed on these machines (no PyPI access), so River's
# column there quotes the figures measured on this kind of machine in issue #2.
# Usage: bench/compare/eval_table.sh [path/to/rivulet]
set -euo pipefail
bin=${1:-build/rivulet}
cd "$(dirname "$0")/../.."
printf '| dataset | model | rows | best wall (ms) | us/sample (whole run) | metric |\n|---|---|---|---|---|---|\n'
run() {  # file target spec
  local best=999999 out=""
  for _ in 1 2 3 4 5; do
    local s e ms
    s=$(date +%s%N)
    out=$("$bin" eval "data/$1" --target "$2" --model "$3" --json --quiet)
    e=$(date +%s%N)
    ms=$(( (e - s) / 1000 ))
    (( ms < best )) && best=$ms
  done
  local rows metric
  rows=$(sed -E 's/.*"samples": ([0-9]+).*/\1/' <<<"$out")
  metric=$(sed -E 's/.*"metrics": \{([^}]*)\}.*/\1/' <<<"$out")
  printf '| %s | `%s` | %s | %.1f | %.3f | %s |\n' "$1" "${3//|/\\|}" "$rows" "$(bc -l <<<"$best/1000")" \
    "$(bc -l <<<"$best/$rows")" "$metric"
}
run electricity/elecNormNew.arff.gz class "preprocessing.StandardScaler | linear_model.LogisticRegression(optimizer=optim.SGD(0.005))"
run electricity/elecNormNew.arff.gz class "naive_bayes.GaussianNB"
run river/phishing.csv.gz is_phishing "preprocessing.StandardScaler | linear_model.LogisticRegression"
run river/phishing.csv.gz is_phishing "naive_bayes.GaussianNB"
run river/banana.libsvm.gz label "preprocessing.StandardScaler | linear_model.LogisticRegression"
run river/segment.csv.gz category "naive_bayes.GaussianNB"
run river/chick-weights.csv weight "preprocessing.StandardScaler | linear_model.LinearRegression"
run river/trump_approval.csv.gz five_thirty_eight "preprocessing.StandardScaler | linear_model.LinearRegression"
# Issue 3: trees, forests and ensembles.
run electricity/elecNormNew.arff.gz class "tree.HoeffdingTreeClassifier"
run electricity/elecNormNew.arff.gz class "tree.HoeffdingAdaptiveTreeClassifier(seed=42)"
run electricity/elecNormNew.arff.gz class "forest.ARFClassifier(seed=42)"
run river/phishing.csv.gz is_phishing "tree.HoeffdingTreeClassifier"
run river/phishing.csv.gz is_phishing "forest.ARFClassifier(seed=42)"
run river/trump_approval.csv.gz five_thirty_eight "preprocessing.StandardScaler | tree.HoeffdingTreeRegressor"
run river/trump_approval.csv.gz five_thirty_eight "preprocessing.StandardScaler | forest.ARFRegressor(seed=42)"
