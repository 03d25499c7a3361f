// rivulet inspect: what a saved model is and has learned.

#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.h"
#include "rivulet/ml/model.h"

namespace rivulet::cli {

Runner add_inspect(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  app.add_option("model", *path, "a model file written by `rivulet eval --save`")->required();
  return [path] {
    auto model = ml::Model::load(*path);
    if (!model.ok()) return fail(model.status().message());
    std::printf("model    %s\n", model->spec().c_str());
    std::printf("task     %s\n", std::string(ml::task_name(model->task())).c_str());
    if (!model->options().target.empty()) std::printf("target   %s\n", model->options().target.c_str());
    std::printf("learned  %llu samples\n", static_cast<unsigned long long>(model->n_learned()));
    std::printf("features %u\n", model->space().size());
    if (model->task() == ml::Task::kClassification) {
      std::string classes;
      for (ClassId c = 0; c < model->labels().size(); ++c) {
        classes += (c ? ", " : "") + model->labels().name(c);
        if (model->labels().positive() == c) classes += " (positive)";
      }
      std::printf("classes  %s\n", classes.c_str());
    }
    for (size_t i = 0; i < model->n_steps(); ++i) {
      const auto& step = model->step(i);
      std::printf("\n[%zu] %s\n", i + 1, std::string(step.name()).c_str());
      ml::Description d;
      step.describe(d);
      for (const auto& [k, v] : d.items()) std::printf("  %-40s %s\n", k.c_str(), v.c_str());
    }
    return 0;
  };
}

}  // namespace rivulet::cli
