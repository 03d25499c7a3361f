#!/usr/bin/env bash
# The demo (`make demo`): the card-fraud pipeline of examples/fraud.yaml on generated payments.
# A stream of card payments whose fraud pattern changes over time; chargeback labels arrive on
# the same stream about a minute (of event time) after their payment. An adaptive random forest
# predicts every payment as it arrives and learns from each label when it comes; ROC AUC is
# printed every 10,000 payments. Ends with a summary.
set -euo pipefail
bin=${1:-build/rivulet}
cd "$(dirname "$0")/.."
out=out/fraud
echo "== rivulet run examples/fraud.yaml (240,000 events: payments and their late labels)"
"$bin" run examples/fraud.yaml
predictions=$(wc -l < "$out/predictions.jsonl")
dead=$(wc -l < "$out/dead-letters.jsonl")
echo
echo "== summary"
echo "predictions written: $predictions ($out/predictions.jsonl), dead letters: $dead"
echo "the last payments scored:"
tail -n 3 "$out/predictions.jsonl"
echo "the ROC AUC rows above are prequential: each payment was scored before its label was known."
