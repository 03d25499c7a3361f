#pragma once
// The options the Hoeffding tree classifiers share: their checks, the leaves' configuration
// they give, and the spec parameters (HoeffdingTreeClassifier, HAT, EFDT
// and the trees of ARFClassifier), read in River's signature order by two calls around each
// learner's own parameters, with the defaults of the Options struct passed in; River's list of
// names from a comma-separated string, for `nominal_attributes` of every tree; and the
// regression trees' `splitter`.
// Thread safety: none needed (functions).

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ml/tree/class_leaves.h"
#include "rivulet/core/status.h"
#include "rivulet/ml/params.h"
#include "rivulet/ml/tree/hoeffding_tree_classifier.h"
#include "rivulet/ml/tree/split_criterion.h"

namespace rivulet::ml::tree::internal {

// "a, b" -> {"a", "b"}; blanks around names and empty names are dropped.
inline std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string name = text.substr(start, end - start);
    const size_t a = name.find_first_not_of(' ');
    const size_t b = name.find_last_not_of(' ');
    if (a != std::string::npos) out.push_back(name.substr(a, b - a + 1));
    start = end + 1;
  }
  return out;
}

// The regression trees' splitter as River names it: "EBSTSplitter" -> -1 (plain E-BST); "TEBSTSplitter", "TEBSTSplitter()", "TEBSTSplitter(digits=N)",
// "TEBSTSplitter(N)" -> N (1 by default); an optional "tree.splitter." prefix. nullopt otherwise.
inline std::optional<int64_t> parse_splitter(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
  const std::string prefix = "tree.splitter.";
  if (text.rfind(prefix, 0) == 0) text = text.substr(prefix.size());
  if (text == "EBSTSplitter" || text == "EBSTSplitter()") return -1;
  const std::string name = "TEBSTSplitter";
  if (text.rfind(name, 0) != 0) return std::nullopt;
  std::string rest = text.substr(name.size());
  if (rest.empty() || rest == "()") return 1;
  if (rest.front() != '(' || rest.back() != ')') return std::nullopt;
  rest = rest.substr(1, rest.size() - 2);
  if (rest.rfind("digits=", 0) == 0) rest = rest.substr(7);
  if (rest.empty() || rest.size() > 2) return std::nullopt;
  int64_t digits = 0;
  for (char c : rest) {
    if (c < '0' || c > '9') return std::nullopt;
    digits = digits * 10 + (c - '0');
  }
  return digits;
}

// split_criterion, delta, tau, leaf_prediction, nb_threshold, nominal_attributes, splitter.
// `prefix` starts each error message (e.g. "forest.ARFClassifier: "), or is empty.
template <class O>
void read_split_params(Params& p, O& o, std::string_view prefix) {
  using Prediction = HoeffdingTreeClassifier::LeafPrediction;
  const std::string criterion =
      p.string("split_criterion", "info_gain", "'info_gain', 'gini' or 'hellinger'");
  if (!SplitCriterion::parse(criterion, o.split_criterion)) {
    p.fail(Status::invalid_argument(
        fmt::format("{}split_criterion must be 'info_gain', 'gini' or 'hellinger'", prefix)));
  }
  o.delta = p.number("delta", o.delta, "significance of the Hoeffding bound (1 - confidence)");
  o.tau = p.number("tau", o.tau, "bound under which a tie is broken by splitting");
  const std::string prediction = p.string("leaf_prediction", "nba", "'mc', 'nb' or 'nba'");
  if (prediction == "mc") {
    o.leaf_prediction = Prediction::kMajorityClass;
  } else if (prediction == "nb") {
    o.leaf_prediction = Prediction::kNaiveBayes;
  } else if (prediction == "nba") {
    o.leaf_prediction = Prediction::kNaiveBayesAdaptive;
  } else {
    p.fail(Status::invalid_argument(fmt::format("{}leaf_prediction must be 'mc', 'nb' or 'nba'", prefix)));
  }
  o.nb_threshold = p.integer("nb_threshold", o.nb_threshold, "weight a leaf observes before naive Bayes");
  o.nominal_attributes = split_names(
      p.string("nominal_attributes", "", "comma-separated numeric features to treat as nominal"));
  const std::string splitter = p.string("splitter", "GaussianSplitter", "numeric splitter");
  if (splitter != "GaussianSplitter" && !splitter.empty()) {
    p.fail(Status::invalid_argument(fmt::format("{}splitter: only 'GaussianSplitter' is available", prefix)));
  }
}

// binary_split, max_size, memory_estimate_period, stop_mem_management, remove_poor_attrs,
// merit_preprune. `pruning_unused`: the learner accepts the last two without using them (EFDT).
template <class O>
void read_memory_params(Params& p, O& o, bool pruning_unused = false) {
  o.binary_split = p.boolean("binary_split", o.binary_split, "only binary splits");
  o.max_size = p.number("max_size", o.max_size, "maximum size of the tree in MiB");
  o.memory_estimate_period =
      p.integer("memory_estimate_period", o.memory_estimate_period, "weight between memory checks");
  o.stop_mem_management =
      p.boolean("stop_mem_management", o.stop_mem_management, "stop growing at the memory limit");
  o.remove_poor_attrs = p.boolean("remove_poor_attrs", o.remove_poor_attrs,
                                  pruning_unused ? "accepted; not used" : "disable poor attributes");
  o.merit_preprune = p.boolean("merit_preprune", o.merit_preprune,
                               pruning_unused ? "accepted; not used" : "merit-based pre-pruning");
}

// The checks of the options every classifier tree shares: OK, or the first that fails.
template <class O>
Status check_tree_options(const O& o) {
  if (o.grace_period <= 0) return Status::invalid_argument("grace_period must be > 0");
  if (o.max_depth && *o.max_depth < 0) return Status::invalid_argument("max_depth must be >= 0");
  if (!(o.delta > 0.0 && o.delta < 1.0)) return Status::invalid_argument("delta must be in (0, 1)");
  if (!(o.tau >= 0.0)) return Status::invalid_argument("tau must be >= 0");
  if (o.nb_threshold < 0) return Status::invalid_argument("nb_threshold must be >= 0");
  if (o.n_splits <= 0) return Status::invalid_argument("n_splits must be > 0");
  if (!(o.max_size > 0.0)) return Status::invalid_argument("max_size must be > 0");
  if (o.memory_estimate_period <= 0)
    return Status::invalid_argument("memory_estimate_period must be > 0");
  return Status::ok_status();
}

// The leaves' configuration from the options every classifier tree shares.
template <class O>
ClassLeaves::Config leaf_config(const O& o) {
  using Prediction = HoeffdingTreeClassifier::LeafPrediction;
  ClassLeaves::Config c;
  switch (o.leaf_prediction) {
    case Prediction::kMajorityClass:
      c.prediction = LeafPrediction::kMajorityClass;
      break;
    case Prediction::kNaiveBayes:
      c.prediction = LeafPrediction::kNaiveBayes;
      break;
    case Prediction::kNaiveBayesAdaptive:
      c.prediction = LeafPrediction::kNaiveBayesAdaptive;
      break;
  }
  c.nb_threshold = static_cast<double>(o.nb_threshold);
  c.n_splits = static_cast<size_t>(o.n_splits);
  c.binary_split = o.binary_split;
  c.merit_preprune = o.merit_preprune;
  return c;
}

}  // namespace rivulet::ml::tree::internal
