// rivulet inspect: what a saved model is and has learned.

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "rivulet/ml/model.h"

namespace rivulet::cli {

namespace {

struct InspectArgs {
  std::string path;
  bool tree = false;
  size_t max_depth = 6;
  size_t top = 20;
};

// Feature importances of one step, most important first (impurity reduction, then splits), with
// each one's share of the total reduction.
void print_importances(const ml::Estimator& step, const FeatureSpace& space, size_t top) {
  std::vector<ml::FeatureImportance> imp;
  step.feature_importances(imp);
  if (imp.empty()) return;
  std::stable_sort(imp.begin(), imp.end(), [](const auto& a, const auto& b) {
    return a.impurity_reduction != b.impurity_reduction ? a.impurity_reduction > b.impurity_reduction
                                                        : a.splits > b.splits;
  });
  double total = 0;
  for (const auto& f : imp) total += f.impurity_reduction;
  std::printf("  feature importances (%zu feature%s; impurity reduction, share, splits):\n", imp.size(),
              imp.size() == 1 ? "" : "s");
  for (size_t i = 0; i < imp.size() && i < top; ++i) {
    const auto& f = imp[i];
    const std::string name = f.feature < space.size() ? space.name(f.feature) : fmt::format("#{}", f.feature);
    std::printf("    %-36s %12.6g %6.1f%% %8.0f\n", name.c_str(), f.impurity_reduction,
                total > 0 ? 100.0 * f.impurity_reduction / total : 0.0, f.splits);
  }
  if (imp.size() > top) std::printf("    ... %zu more (--top)\n", imp.size() - top);
}

}  // namespace

Runner add_inspect(CLI::App& app) {
  auto a = std::make_shared<InspectArgs>();
  app.add_option("model", a->path, "a model file written by `rivulet eval --save`")->required();
  app.add_flag("--tree", a->tree, "draw the learned trees as text");
  app.add_option("--max-depth", a->max_depth, "deepest level drawn by --tree (default 6)");
  app.add_option("--top", a->top, "feature importances shown (default 20)");
  return [a] {
    auto model = ml::Model::load(a->path);
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
      print_importances(step, model->space(), a->top);
      if (a->tree) {
        const std::string drawn = step.draw(a->max_depth);
        if (!drawn.empty()) std::printf("\n%s", drawn.c_str());
      }
    }
    return 0;
  };
}

}  // namespace rivulet::cli
