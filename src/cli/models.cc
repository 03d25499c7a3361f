// rivulet models: the registry, grouped by kind, with every parameter and its default.

#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.h"
#include "rivulet/ml/registry.h"

namespace rivulet::cli {

Runner add_models(CLI::App& app) {
  auto kind = std::make_shared<std::string>();
  app.add_option("--kind", *kind, "only this kind: classifier, regressor, 'anomaly detector', clusterer, transformer, 'drift detector', optimizer, metric");
  return [kind] {
    const ml::EntryKind order[] = {ml::EntryKind::kClassifier,      ml::EntryKind::kRegressor,
                                   ml::EntryKind::kAnomalyDetector, ml::EntryKind::kClusterer,
                                   ml::EntryKind::kTransformer,     ml::EntryKind::kDriftDetector,
                                   ml::EntryKind::kOptimizer,       ml::EntryKind::kMetric};
    bool any = false;
    for (auto k : order) {
      if (!kind->empty() && *kind != ml::entry_kind_name(k)) continue;
      std::printf("%ss:\n", std::string(ml::entry_kind_name(k)).c_str());
      for (const auto& e : ml::registry()) {
        if (e.kind != k) continue;
        any = true;
        std::printf("  %-45s %s\n", std::string(e.name).c_str(), std::string(e.summary).c_str());
        for (const auto& p : ml::describe_params(e)) {
          std::printf("      %s", fmt::format("{}: {} = {}", p.name, p.type, p.default_value).c_str());
          if (!p.help.empty()) std::printf("  (%s)", p.help.c_str());
          std::printf("\n");
        }
      }
    }
    if (!any) return fail(fmt::format("--kind {}: valid kinds are classifier, regressor, 'anomaly detector', clusterer, transformer, 'drift detector', optimizer, metric", *kind));
    return 0;
  };
}

}  // namespace rivulet::cli
