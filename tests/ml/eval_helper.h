#pragma once
// "Evaluate a model spec on a data file, return the metric": River's
// evaluate.progressive_val_score driven through the library (io::open_reader, FeatureExtractor,
// ml::PrequentialEvaluator), the same loop as `rivulet eval` (src/cli/eval.cc) without the
// command line. Tests pin River's published figures with it:
//
//   auto mae = rivulet::test_support::evaluate_spec(
//       "preprocessing.StandardScaler | linear_model.LinearRegression",
//       "river/chick-weights.csv", "weight");
//   ASSERT_TRUE(mae.ok()) << mae.status().to_string();
//   EXPECT_NEAR(mae->value, 23.99, 0.24);
//
// Header-only (the test target compiles only *_test.cc files).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rivulet/core/feature_extractor.h"
#include "rivulet/core/status.h"
#include "rivulet/io/record_reader.h"
#include "rivulet/ml/evaluate/prequential.h"
#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"

namespace rivulet::test_support {

struct EvalOutcome {
  double value = 0.0;    // the metric's final value
  uint64_t samples = 0;  // samples evaluated
  uint64_t scored = 0;   // samples whose prediction was scored
  uint64_t skipped = 0;  // malformed rows and rows without a (numeric, for regression) target
};

struct EvalOptions {
  std::string metric = {};  // empty: Accuracy for classifiers, MAE for regressors
  std::optional<uint64_t> seed = std::nullopt;  // the model's seed
  uint64_t limit = 0;                           // stop after this many samples (0: all)
  size_t delay = 0;                             // River's delay
  // Called with the trained model at the end (to read learned parameters).
  std::function<void(const ml::Model&)> inspect = nullptr;
};

// Evaluates `spec` test-then-train on `path` (relative paths are under RIVULET_DATA_DIR) with
// `target` as the target column. Errors: the reader's (kNotFound, kUnimplemented for a format not
// written yet, ...), a bad spec or metric, an unknown target column, or no sample at all.
inline Result<EvalOutcome> evaluate_spec(std::string_view spec, const std::string& path,
                                         std::string_view target, const EvalOptions& options = {}) {
  const std::string full =
      !path.empty() && path[0] == '/' ? path : std::string(RIVULET_DATA_DIR) + "/" + path;
  auto model = ml::Model::create(
      spec, {.seed = options.seed, .pos_label = "", .target = std::string(target)});
  if (!model.ok()) return model.status();
  const bool classification = model->task() == ml::Task::kClassification;
  auto metric = ml::make_metric(options.metric.empty() ? (classification ? "Accuracy" : "MAE")
                                                       : options.metric);
  if (!metric.ok()) return metric.status();
  if (((*metric)->task() == ml::MetricTask::kClassification) != classification) {
    return Status::invalid_argument("the metric's task does not match the model's");
  }
  auto reader = io::open_reader(full);
  if (!reader.ok()) return reader.status();
  io::RecordReader& r = **reader;

  FeatureExtractor extract(model->space());
  size_t known_columns = 0;
  std::optional<ColumnId> target_column;
  auto sync_columns = [&] {
    if (r.columns().size() == known_columns) return;
    extract.set_columns(r.columns());
    known_columns = r.columns().size();
    if (!target_column) {
      target_column = r.column(target);
      if (target_column) extract.exclude(*target_column);
    }
  };
  sync_columns();
  if (!r.columns().empty() && !target_column) {
    return Status::invalid_argument(full + ": no column '" + std::string(target) + "'");
  }

  std::vector<std::unique_ptr<ml::Metric>> metrics;
  metrics.push_back(std::move(metric).value());
  ml::PrequentialEvaluator evaluator(*model, std::move(metrics), {.delay = options.delay});
  EvalOutcome out;
  Record record;
  Features x;
  for (;;) {
    if (options.limit != 0 && evaluator.samples() >= options.limit) break;
    auto got = r.next(record);
    if (!got.ok()) {
      if (got.status().code() != StatusCode::kInvalidArgument) return got.status();
      ++out.skipped;  // a malformed row, skipped as `rivulet eval` does
      continue;
    }
    if (!*got) break;
    sync_columns();
    const Field* y = target_column ? record.find(*target_column) : nullptr;
    if (y == nullptr || (!classification && y->kind != Field::Kind::kNumber)) {
      ++out.skipped;
      continue;
    }
    extract.extract(record, x);
    if (classification) {
      evaluator.learn_class(x, model->labels().intern(y->text));
    } else {
      evaluator.learn_value(x, y->number);
    }
  }
  evaluator.finish();
  if (evaluator.samples() == 0) return Status::invalid_argument(full + ": no samples to evaluate");
  if (options.inspect) options.inspect(*model);
  out.value = evaluator.metric(0).get();
  out.samples = evaluator.samples();
  out.scored = evaluator.scored();
  return out;
}

}  // namespace rivulet::test_support
