#pragma once
// Prequential ROC AUC of a model spec on a generator's stream: the events are written to a
// temporary JSON Lines file and read back with the io readers, as `rivulet eval` would read
// them; `excluded` columns (ids, times) and the target are left out of the features. Used to
// check that the application generators carry a signal that online learners find.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "rivulet/core/feature_extractor.h"
#include "rivulet/io/generators/generator.h"
#include "rivulet/io/record_reader.h"
#include "rivulet/ml/evaluate/prequential.h"
#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"

namespace rivulet::io::test {

inline Result<double> prequential_metric(const std::string& generator_spec, size_t events,
                                         const std::string& model_spec, const std::string& target,
                                         const std::vector<std::string>& excluded,
                                         const std::string& metric_spec = "ROCAUC") {
  RIVULET_ASSIGN_OR_RETURN(auto gen, Generator::create(generator_spec, 42));
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("rivulet_gen_" + std::to_string(::getpid()) + "_" + target + ".jsonl"))
                               .string();
  {
    std::ofstream out(path);
    std::string line;
    for (size_t i = 0; i < events; ++i) {
      line.clear();
      gen->next(line);
      out << line;
    }
  }
  RIVULET_ASSIGN_OR_RETURN(
      auto model, ml::Model::create(model_spec, {.seed = 1, .pos_label = "", .target = target}));
  RIVULET_ASSIGN_OR_RETURN(auto metric, ml::make_metric(metric_spec));
  RIVULET_ASSIGN_OR_RETURN(auto reader, open_reader(path));
  std::vector<std::unique_ptr<ml::Metric>> metrics;
  metrics.push_back(std::move(metric));
  ml::PrequentialEvaluator evaluator(model, std::move(metrics), {});
  FeatureExtractor extract(model.space());
  size_t known = 0;
  std::optional<ColumnId> target_column;
  Record record;
  Features x;
  for (;;) {
    auto got = reader->next(record);
    if (!got.ok()) return got.status();
    if (!*got) break;
    if (reader->columns().size() != known) {
      extract.set_columns(reader->columns());
      known = reader->columns().size();
      for (ColumnId c = 0; c < known; ++c) {
        const std::string& name = reader->columns()[c];
        if (name == target) target_column = c;
        for (const auto& e : excluded) {
          if (name == e || name == target) extract.exclude(c);
        }
        if (name == target) extract.exclude(c);
      }
    }
    const Field* y = target_column ? record.find(*target_column) : nullptr;
    if (y == nullptr) continue;
    extract.extract(record, x);
    evaluator.learn_class(x, model.labels().intern(y->text));
  }
  evaluator.finish();
  std::filesystem::remove(path);
  return evaluator.metric(0).get();
}

}  // namespace rivulet::io::test
