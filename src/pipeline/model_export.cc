// Models out of pipeline checkpoints (include/rivulet/pipeline/model_export.h).

#include "rivulet/pipeline/model_export.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>
#include <vector>

#include "rivulet/ml/model.h"
#include "rivulet/pipeline/learner_stage.h"

namespace rivulet::pipeline {
namespace {

constexpr std::string_view kStepPrefix = "step-";
constexpr size_t kKeysShown = 10;

// A step as the checkpoint's meta names it.
struct StepMeta {
  size_t index = 0;  // 1-based
  std::string kind;
  std::string name;
  bool learner = false;
};

// The digits of `text` as a number, when `text` is only digits.
std::optional<size_t> number(std::string_view text) {
  size_t n = 0;
  const char* end = text.data() + text.size();
  auto [at, ec] = std::from_chars(text.data(), end, n);
  if (text.empty() || ec != std::errc() || at != end) return std::nullopt;
  return n;
}

// The steps of the meta lines `step-<n>` = "<kind> <name>", by position.
Result<std::vector<StepMeta>> steps_of(const checkpoint::Checkpoint& cp, const std::string& where) {
  std::vector<StepMeta> steps;
  for (const auto& [key, value] : cp.meta) {
    if (!key.starts_with(kStepPrefix)) continue;
    const auto index = number(std::string_view(key).substr(kStepPrefix.size()));
    if (!index) continue;  // not a step's line
    const size_t space = value.find(' ');
    if (space == std::string::npos || space == 0) {
      return Status::data_loss(
          fmt::format("{}: meta {} is '{}', not '<kind> <name>'", where, key, value));
    }
    StepMeta step{.index = *index, .kind = value.substr(0, space), .name = value.substr(space + 1)};
    step.learner = parse_learner_mode(step.kind).ok();
    steps.push_back(std::move(step));
  }
  std::sort(steps.begin(), steps.end(),
            [](const StepMeta& a, const StepMeta& b) { return a.index < b.index; });
  return steps;
}

// "'a', 'b'": the names of the learner steps, for errors.
std::string learner_names(const std::vector<StepMeta>& steps) {
  std::string names;
  for (const StepMeta& s : steps) {
    if (!s.learner) continue;
    names += fmt::format("{}'{}'", names.empty() ? "" : ", ", s.name);
  }
  return names.empty() ? "the pipeline has no learner step" : "learner steps: " + names;
}

// "a, b, c and 4 more": keys for errors, sorted, at most kKeysShown.
std::string some_keys(std::vector<std::string> keys) {
  if (keys.empty()) return "it has no per-key model yet";
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::string out = "keys: ";
  for (size_t i = 0; i < keys.size() && i < kKeysShown; ++i) {
    out += fmt::format("{}'{}'", i == 0 ? "" : ", ", keys[i]);
  }
  if (keys.size() > kKeysShown) out += fmt::format(" and {} more", keys.size() - kKeysShown);
  return out;
}

// The parts holding a step's state: `step-<n>` when it runs unpartitioned, `step-<n>.p<k>` for
// each partition k otherwise, in partition order.
std::vector<std::pair<std::string, const std::string*>> parts_of(const checkpoint::Checkpoint& cp,
                                                                 size_t index) {
  const std::string base = fmt::format("{}{}", kStepPrefix, index);
  std::vector<std::pair<std::string, const std::string*>> parts;
  if (auto it = cp.parts.find(base); it != cp.parts.end()) parts.emplace_back(base, &it->second);
  std::vector<std::pair<size_t, const std::string*>> partitions;
  const std::string prefix = base + ".p";
  for (auto it = cp.parts.lower_bound(prefix); it != cp.parts.end(); ++it) {
    if (!it->first.starts_with(prefix)) break;
    if (auto k = number(std::string_view(it->first).substr(prefix.size()))) {
      partitions.emplace_back(*k, &it->second);
    }
  }
  std::sort(partitions.begin(), partitions.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [k, bytes] : partitions) {
    parts.emplace_back(fmt::format("{}{}", prefix, k), bytes);
  }
  return parts;
}

}  // namespace

Result<ExportedModel> export_model(const checkpoint::Checkpoint& checkpoint,
                                   const ModelExportOptions& options) {
  const std::string where = checkpoint::CheckpointStore::dir_name(checkpoint.id);
  RIVULET_ASSIGN_OR_RETURN(auto steps, steps_of(checkpoint, where));

  // The step, by name; a learner wins over another step of the same name.
  const StepMeta* step = nullptr;
  for (const StepMeta& s : steps) {
    if (s.name != options.step) continue;
    if (step != nullptr && step->learner && s.learner) {
      return Status::invalid_argument(fmt::format(
          "{}: steps {} and {} are both learners named '{}'", where, step->index, s.index, s.name));
    }
    if (step == nullptr || (s.learner && !step->learner)) step = &s;
  }
  if (step == nullptr) {
    const auto pipeline = checkpoint.meta.find("pipeline");
    return Status::not_found(fmt::format(
        "{}: no step '{}' in pipeline '{}' ({})", where, options.step,
        pipeline == checkpoint.meta.end() ? "" : pipeline->second, learner_names(steps)));
  }
  if (!step->learner) {
    return Status::invalid_argument(
        fmt::format("{}: step '{}' is a {} step, not a learner (evaluate, predict or learn; {})",
                    where, step->name, step->kind, learner_names(steps)));
  }

  const auto parts = parts_of(checkpoint, step->index);
  if (parts.empty()) {
    return Status::not_found(
        fmt::format("{}: no state for step {} ('{}'): no part step-{} or step-{}.p<k>", where,
                    step->index, step->name, step->index, step->index));
  }
  // Every part's models, then the one asked for.
  std::vector<SnapshotModels> held;
  for (const auto& [part, bytes] : parts) {
    auto models = LearnerStage::models_in_snapshot(*bytes);
    if (!models.ok()) {
      return Status::data_loss(fmt::format("{}: part {} (step '{}'): {}", where, part, step->name,
                                           models.status().message()));
    }
    if (learner_mode_name(models->mode) != step->kind) {
      return Status::data_loss(fmt::format(
          "{}: part {} holds the state of a step of kind {}, but step {} ('{}') is of kind {}",
          where, part, learner_mode_name(models->mode), step->index, step->name, step->kind));
    }
    held.push_back(std::move(models).value());
  }

  const SnapshotModel* found = nullptr;
  size_t found_in = 0;
  if (!held[0].per_key) {
    if (!options.key.empty()) {
      return Status::invalid_argument(
          fmt::format("{}: step '{}' has one global model (it is not per_key); it has no model "
                      "of key '{}'",
                      where, step->name, options.key));
    }
    if (parts.size() > 1) {
      return Status::invalid_argument(
          fmt::format("{}: step '{}' holds a global model in each of {} partitions ({} ... {})",
                      where, step->name, parts.size(), parts.front().first, parts.back().first));
    }
    found = &held[0].models.at(0);  // models_in_snapshot checked there is one
  } else {
    std::vector<std::string> keys;
    for (size_t p = 0; p < held.size() && found == nullptr; ++p) {
      for (const SnapshotModel& m : held[p].models) {
        if (m.key == options.key && !options.key.empty()) {
          found = &m;
          found_in = p;
          break;
        }
        keys.push_back(m.key);
      }
    }
    if (options.key.empty()) {
      return Status::invalid_argument(
          fmt::format("{}: step '{}' is per_key (one model per key): give the key ({})", where,
                      step->name, some_keys(std::move(keys))));
    }
    if (found == nullptr) {
      return Status::not_found(fmt::format("{}: step '{}' has no model of key '{}' ({})", where,
                                           step->name, options.key, some_keys(std::move(keys))));
    }
  }

  const std::string& part = parts[found_in].first;
  const std::string origin = fmt::format("{}: part {} (step '{}'{})", where, part, step->name,
                                         found->key.empty() ? "" : ", key '" + found->key + "'");
  auto model = ml::Model::load_bytes(found->bytes, origin);
  if (!model.ok()) return Status::data_loss(model.status().message());

  ExportedModel out;
  out.bytes = found->bytes;
  out.spec = model->spec();
  out.kind = step->kind;
  out.step = step->index;
  out.part = part;
  out.key = found->key;
  out.records = found->records;
  out.learned = model->n_learned();
  return out;
}

}  // namespace rivulet::pipeline
