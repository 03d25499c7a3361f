#!/usr/bin/env bash
# Prequential evaluation of several online learners on the Electricity stream
# (45,312 half-hourly records of the NSW electricity market, predicting whether the price goes
# up or down), as River's and MOA's published tables do, printed as one comparison table.
set -euo pipefail
bin=${1:-build/rivulet}
data=data/electricity/elecNormNew.arff.gz
cd "$(dirname "$0")/.."
printf '%-80s %10s %10s\n' "model (Electricity, target class)" "Accuracy" "seconds"
for spec in \
  "dummy.NoChangeClassifier" \
  "naive_bayes.GaussianNB" \
  "preprocessing.StandardScaler | linear_model.LogisticRegression(optimizer=optim.SGD(0.005))" \
  "preprocessing.StandardScaler | linear_model.Perceptron" \
  "preprocessing.StandardScaler | linear_model.PAClassifier" \
  "preprocessing.StandardScaler | linear_model.SoftmaxRegression"; do
  json=$("$bin" eval "$data" --target class --model "$spec" --json --quiet) || { echo "failed: $spec" >&2; exit 1; }
  acc=$(sed -E 's/.*"Accuracy": ([0-9.e-]+).*/\1/' <<<"$json")
  secs=$(sed -E 's/.*"seconds": ([0-9.e-]+).*/\1/' <<<"$json")
  printf '%-80s %10.4f %10.4f\n' "$spec" "$acc" "$secs"
done
