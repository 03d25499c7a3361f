// rivulet predict: a saved model's predictions on a data file, as JSON Lines or CSV.

#include <fmt/format.h>

#include <cstdio>
#include <optional>

#include "cli/commands.h"
#include "cli/labeled_stream.h"
#include "rivulet/ml/model.h"

namespace rivulet::cli {
namespace {

struct PredictArgs {
  std::string model, data, format = "auto", output = "jsonl";
  bool learn = false, strict = false, quiet = false;
};

// Anomaly detectors: the score of each row and, for a filter, its decision (made before the row
// is learned). Clusterers: the cluster. With --learn every row is learned (no label needed).
int predict_unlabeled(const PredictArgs& a, ml::Model& model, LabeledStream& stream) {
  const bool anomaly = model.task() == ml::Task::kAnomalyDetection;
  const bool decision = anomaly && model.has_decision();
  const bool csv = a.output == "csv";
  if (csv) {
    std::printf(!anomaly ? "line,cluster\n" : decision ? "line,score,anomaly\n" : "line,score\n");
  }
  for (;;) {
    auto next = stream.next();
    if (!next.ok()) return fail(next.status().message());
    if (!next->has_value()) break;
    const Sample& s = **next;
    const auto line = static_cast<unsigned long long>(s.line);
    if (anomaly) {
      std::optional<bool> flagged;
      double score;
      if (a.learn) {
        score = model.score_then_learn(*s.x, &flagged);
      } else {
        score = model.score_one(*s.x);
        flagged = model.classify(score);
      }
      if (csv && decision) {
        std::printf("%llu,%.10g,%s\n", line, score, *flagged ? "true" : "false");
      } else if (csv) {
        std::printf("%llu,%.10g\n", line, score);
      } else if (decision) {
        std::printf("{\"line\": %llu, \"score\": %.10g, \"anomaly\": %s}\n", line, score,
                    *flagged ? "true" : "false");
      } else {
        std::printf("{\"line\": %llu, \"score\": %.10g}\n", line, score);
      }
    } else {
      const int cluster =
          a.learn ? model.predict_then_learn_cluster(*s.x) : model.predict_cluster(*s.x);
      if (csv) {
        std::printf("%llu,%d\n", line, cluster);
      } else {
        std::printf("{\"line\": %llu, \"cluster\": %d}\n", line, cluster);
      }
    }
  }
  return 0;
}

int run_predict(const PredictArgs& a) {
  if (a.output != "jsonl" && a.output != "csv") {
    return fail(fmt::format("--output {}: valid values are jsonl and csv", a.output));
  }
  auto format = io::parse_format(a.format);
  if (!format.ok()) return fail(format.status().message());
  auto model = ml::Model::load(a.model);
  if (!model.ok()) return fail(model.status().message());
  // The training target, when the data has it, is left out of the features (and is what
  // --learn learns from).
  const std::string target = model->options().target;
  StreamOptions so{a.data, "", *format, a.strict, a.quiet, 0};
  auto stream = LabeledStream::open(so, *model);
  if (!stream.ok()) return fail(stream.status().message());
  // Re-open with the target so it is excluded from the features when present.
  if (!target.empty() && (*stream)->reader().column(target)) {
    so.target = target;
    stream = LabeledStream::open(so, *model);
    if (!stream.ok()) return fail(stream.status().message());
  }
  if (model->task() == ml::Task::kAnomalyDetection || model->task() == ml::Task::kClustering) {
    return predict_unlabeled(a, *model, **stream);
  }
  const bool classification = model->task() == ml::Task::kClassification;
  const bool csv = a.output == "csv";
  if (csv) std::printf(classification ? "line,prediction,probability\n" : "line,prediction\n");
  std::vector<double> proba;
  for (;;) {
    auto next = (*stream)->next();
    if (!next.ok()) return fail(next.status().message());
    if (!next->has_value()) break;
    const Sample& s = **next;
    if (classification) {
      const std::optional<ClassId> label = model->predict(*s.x, &proba);
      const bool ok = label.has_value();
      std::string name = label && *label != kNoClass ? model->labels().name(*label) : "";
      const double p = label && *label != kNoClass && *label < proba.size() ? proba[*label] : 0.0;
      if (csv) {
        std::printf("%llu,%s,%.6g\n", static_cast<unsigned long long>(s.line), name.c_str(), p);
      } else {
        std::string probs;
        for (ClassId c = 0; c < proba.size() && ok; ++c) {
          probs += fmt::format("{}\"{}\": {:.6g}", c ? ", " : "", model->labels().name(c), proba[c]);
        }
        std::printf("{\"line\": %llu, \"prediction\": %s, \"proba\": {%s}}\n",
                    static_cast<unsigned long long>(s.line),
                    label ? fmt::format("\"{}\"", name).c_str() : "null", probs.c_str());
      }
      if (a.learn && s.target != nullptr) model->learn_one(*s.x, model->labels().intern(s.target->text));
    } else {
      const double y = model->predict_value(*s.x);
      if (csv) {
        std::printf("%llu,%.10g\n", static_cast<unsigned long long>(s.line), y);
      } else {
        std::printf("{\"line\": %llu, \"prediction\": %.10g}\n", static_cast<unsigned long long>(s.line), y);
      }
      if (a.learn && s.target != nullptr && s.target->kind == Field::Kind::kNumber) {
        model->learn_value(*s.x, s.target->number);
      }
    }
  }
  return 0;
}

}  // namespace

Runner add_predict(CLI::App& app) {
  auto a = std::make_shared<PredictArgs>();
  app.add_option("--model,-m", a->model, "a model file written by `rivulet eval --save`")->required();
  app.add_option("data", a->data, "data file: CSV, ARFF, libsvm or JSON Lines, optionally .gz")->required();
  app.add_option("--format", a->format, "input format: auto, csv, arff, libsvm, jsonl");
  app.add_option("--output,-o", a->output, "jsonl (default) or csv");
  app.add_flag("--learn", a->learn,
               "also learn from rows that carry the training target (anomaly detectors and "
               "clusterers: from every row)");
  app.add_flag("--strict", a->strict, "stop at the first malformed row instead of skipping it");
  app.add_flag("--quiet,-q", a->quiet, "no skipped-row messages");
  return [a] { return run_predict(*a); };
}

}  // namespace rivulet::cli
