#pragma once
// Real data streams and the list of registry learners, shared by the tests that run every
// registry entry over a stream: the conformance suite (tests/conformance/) and the allocation
// test (tests/ml/allocation_test.cc).
//
// A Dataset keeps its rows in its own feature index space; bind() maps them into a model's space
// (interning the names in order), so that transformers that read feature names see the right
// ones. Datasets whose features are not already within [0, 1] are min-max scaled with their
// global minimum and maximum: every learner suits that range (linear models do not diverge on
// it, count-based naive Bayes gets non-negative values, trees do not care), so a failure points
// at the learner and not at the data.

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/feature_extractor.h"
#include "rivulet/core/features.h"
#include "rivulet/io/record_reader.h"
#include "rivulet/ml/estimator.h"
#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"

namespace rivulet::learner_streams {

struct Dataset {
  std::string name;
  std::vector<std::string> feature_names;  // by index of `rows`
  std::vector<Features> rows;
  std::vector<std::string> labels;  // the target's text (classification)
  std::vector<double> targets;      // the target's number, NaN when not numeric (regression)
  std::string error;                // why loading failed; empty when it did not
  size_t size() const { return rows.size(); }
};

/// Loads RIVULET_DATA_DIR/`relative` with `target` as the target column.
inline Dataset load_dataset(std::string_view name, const std::string& relative,
                            std::string_view target, bool min_max_scale) {
  Dataset d;
  d.name = std::string(name);
  auto reader = io::open_reader(std::string(RIVULET_DATA_DIR) + "/" + relative);
  if (!reader.ok()) {
    d.error = reader.status().to_string();
    return d;
  }
  FeatureSpace space;
  FeatureExtractor extract(space);
  extract.set_columns((*reader)->columns());
  const auto target_column = (*reader)->column(target);
  if (!target_column) {
    d.error = "no target column " + std::string(target);
    return d;
  }
  extract.exclude(*target_column);
  Record record;
  for (;;) {
    auto got = (*reader)->next(record);
    if (!got.ok()) {
      d.error = got.status().to_string();
      return d;
    }
    if (!*got) break;
    const Field* y = record.find(*target_column);
    if (y == nullptr) continue;
    Features x;
    extract.extract(record, x);
    d.rows.push_back(std::move(x));
    d.labels.emplace_back(y->text);
    d.targets.push_back(y->kind == Field::Kind::kNumber ? y->number
                                                        : std::numeric_limits<double>::quiet_NaN());
  }
  for (FeatureIndex i = 0; i < space.size(); ++i) d.feature_names.push_back(space.name(i));
  if (min_max_scale) {
    std::vector<double> lo(space.size(), std::numeric_limits<double>::infinity());
    std::vector<double> hi(space.size(), -std::numeric_limits<double>::infinity());
    for (const auto& x : d.rows) {
      for (const auto& f : x) {
        lo[f.index] = std::min(lo[f.index], f.value);
        hi[f.index] = std::max(hi[f.index], f.value);
      }
    }
    for (auto& x : d.rows) {
      for (auto& f : x) {
        if (hi[f.index] > lo[f.index]) {
          f.value = (f.value - lo[f.index]) / (hi[f.index] - lo[f.index]);
        }
      }
    }
  }
  return d;
}

/// River's datasets.Phishing: 1,250 rows, 9 features in [0, 1], binary target ("1" is positive).
inline const Dataset& phishing() {
  static const Dataset d = load_dataset("Phishing", "river/phishing.csv.gz", "is_phishing", false);
  return d;
}
/// River's datasets.ImageSegments: 2,310 rows, 18 features (scaled), 7 classes.
inline const Dataset& image_segments() {
  static const Dataset d = load_dataset("ImageSegments", "river/segment.csv.gz", "category", true);
  return d;
}
/// River's datasets.TrumpApproval: 1,001 rows, 6 features (scaled), numeric target.
inline const Dataset& trump_approval() {
  static const Dataset d =
      load_dataset("TrumpApproval", "river/trump_approval.csv.gz", "five_thirty_eight", true);
  return d;
}
/// River's datasets.ChickWeights: 578 rows, 3 features (scaled), numeric target (weight).
inline const Dataset& chick_weights() {
  static const Dataset d = load_dataset("ChickWeights", "river/chick-weights.csv", "weight", true);
  return d;
}

/// The dataset's rows in `space`'s indices; names are interned in the dataset's order.
inline std::vector<Features> bind(const Dataset& d, FeatureSpace& space) {
  std::vector<FeatureIndex> to(d.feature_names.size());
  for (size_t i = 0; i < to.size(); ++i) to[i] = space.intern(d.feature_names[i]);
  std::vector<Features> rows;
  rows.reserve(d.rows.size());
  for (const auto& x : d.rows) {
    Features y;
    y.reserve(x.size());
    for (const auto& f : x) y.push(to[f.index], f.value);
    rows.push_back(std::move(y));
  }
  return rows;
}

/// Model options with a fixed seed.
inline ml::ModelOptions seeded(uint64_t seed) {
  ml::ModelOptions options;
  options.seed = seed;
  return options;
}

/// True for the tasks whose models learn without a label (anomaly detection, clustering).
inline bool unsupervised(ml::Task task) {
  return task == ml::Task::kAnomalyDetection || task == ml::Task::kClustering;
}

/// One registry learner as the conformance suite runs it through ml::Model.
struct LearnerCase {
  std::string entry;  // registry name
  std::string spec;   // what Model::create gets: the entry, or a transformer inside a pipeline
  ml::EntryKind kind = ml::EntryKind::kClassifier;
  ml::Task task = ml::Task::kClassification;
  bool binary = false;       // the final step is an ml::BinaryClassifier
  std::string create_error;  // Model::create failed with this; every test reports it
};

/// The spec a transformer runs in: followed by a classifier, fed Phishing (values in [0, 1] that
/// take three levels each, which suits scalers, encoders and hashers alike).
inline std::string transformer_spec(std::string_view name) {
  return std::string(name) + " | linear_model.LogisticRegression";
}

/// Every classifier, regressor, anomaly detector, clusterer and transformer of the registry.
inline std::vector<LearnerCase> learner_cases() {
  std::vector<LearnerCase> cases;
  for (const auto& e : ml::registry()) {
    LearnerCase c;
    c.entry = std::string(e.name);
    c.kind = e.kind;
    switch (e.kind) {
      case ml::EntryKind::kClassifier:
      case ml::EntryKind::kRegressor:
      case ml::EntryKind::kAnomalyDetector:
      case ml::EntryKind::kClusterer:
        c.spec = c.entry;
        break;
      case ml::EntryKind::kTransformer:
        c.spec = transformer_spec(e.name);
        break;
      default:
        continue;
    }
    auto model = ml::Model::create(c.spec, seeded(42));
    if (model.ok()) {
      c.task = model->task();
      c.binary =
          dynamic_cast<const ml::BinaryClassifier*>(&model->step(model->n_steps() - 1)) != nullptr;
    } else {
      c.task = e.kind == ml::EntryKind::kRegressor         ? ml::Task::kRegression
               : e.kind == ml::EntryKind::kAnomalyDetector ? ml::Task::kAnomalyDetection
               : e.kind == ml::EntryKind::kClusterer       ? ml::Task::kClustering
                                                           : ml::Task::kClassification;
      c.create_error = model.status().to_string();
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

/// Shown by GoogleTest for a failing case instead of the object's bytes.
inline void PrintTo(const LearnerCase& c, std::ostream* os) { *os << '"' << c.spec << '"'; }

/// A GoogleTest name for a registry name: "linear_model.LogisticRegression" ->
/// "linear_model_LogisticRegression".
inline std::string test_name(std::string_view entry) {
  std::string out;
  for (char c : entry) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return out;
}

}  // namespace rivulet::learner_streams
