// rivulet eval: prequential evaluation with River's semantics.

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "cli/commands.h"
#include "cli/labeled_stream.h"
#include "rivulet/ml/evaluate/prequential.h"
#include "rivulet/ml/registry.h"

namespace rivulet::cli {
namespace {

struct EvalArgs {
  std::string data, target, model, save, format = "auto", pos_label;
  std::vector<std::string> metrics;
  size_t delay = 0;
  int64_t seed = -1;
  unsigned threads = 1;
  uint64_t limit = 0;
  bool json = false, strict = false, quiet = false;
};

std::string json_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", c);
        } else {
          out += c;
        }
    }
  }
  return out;
}

int run_eval(const EvalArgs& a) {
  using Clock = std::chrono::steady_clock;
  auto format = io::parse_format(a.format);
  if (!format.ok()) return fail(format.status().message());
  ml::ModelOptions model_options;
  if (a.seed >= 0) model_options.seed = static_cast<uint64_t>(a.seed);
  model_options.pos_label = a.pos_label;
  model_options.target = a.target;
  auto model = ml::Model::create(a.model, model_options);
  if (!model.ok()) return fail(model.status().message());
  model->set_threads(a.threads);
  const bool classification = model->task() == ml::Task::kClassification;

  std::vector<std::string> metric_names = a.metrics;
  if (metric_names.empty()) metric_names.push_back(classification ? "Accuracy" : "MAE");
  std::vector<std::unique_ptr<ml::Metric>> metrics;
  for (const auto& name : metric_names) {
    auto metric = ml::make_metric(name);
    if (!metric.ok()) return fail(fmt::format("--metric {}: {}", name, metric.status().message()));
    const bool metric_class = (*metric)->task() == ml::MetricTask::kClassification;
    if (metric_class != classification) {
      return fail(fmt::format("--metric {} is a {} metric but the model is a {}r", name,
                              metric_class ? "classification" : "regression",
                              classification ? "classifie" : "regresso"));
    }
    metrics.push_back(std::move(metric).value());
  }

  StreamOptions so{a.data, a.target, *format, a.strict, a.quiet, a.limit};
  auto stream = LabeledStream::open(so, *model);
  if (!stream.ok()) return fail(stream.status().message());
  ml::PrequentialEvaluator evaluator(*model, std::move(metrics), {.delay = a.delay});

  const bool progress = !a.quiet && isatty(STDERR_FILENO);
  const auto start = Clock::now();
  auto last_progress = start;
  constexpr size_t kMaxClasses = 10000;
  for (;;) {
    auto next = (*stream)->next();
    if (!next.ok()) return fail(next.status().message());
    if (!next->has_value()) break;
    const Sample& s = **next;
    if (classification) {
      if (model->labels().size() >= kMaxClasses && !model->labels().find(s.target->text)) {
        return fail(fmt::format("{}:{}: the target '{}' has more than {} distinct values; use a regressor",
                                a.data, s.line, a.target, kMaxClasses));
      }
      evaluator.learn_class(*s.x, model->labels().intern(s.target->text));
    } else {
      if (s.target->kind != Field::Kind::kNumber) {
        if (evaluator.samples() == 0 && (*stream)->skipped() == 0) {
          return fail(fmt::format("{}:{}: the target '{}' holds text ('{}') but {} is a regressor; "
                                  "choose a classifier",
                                  a.data, s.line, a.target, s.target->text, a.model));
        }
        auto st = (*stream)->reject(fmt::format("target '{}' is not a number: '{}'", a.target, s.target->text));
        if (!st.ok()) return fail(st.message());
        continue;
      }
      evaluator.learn_value(*s.x, s.target->number);
    }
    if (progress && (evaluator.samples() & 1023) == 0) {
      const auto now = Clock::now();
      if (now - last_progress > std::chrono::milliseconds(200)) {
        last_progress = now;
        const double secs = std::chrono::duration<double>(now - start).count();
        std::fprintf(stderr, "\r%llu rows  %.0f rows/s  %s %.4f   ",
                     static_cast<unsigned long long>(evaluator.samples()), evaluator.samples() / secs,
                     evaluator.metric(0).name().c_str(), evaluator.metric(0).get());
      }
    }
  }
  evaluator.finish();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (progress) std::fprintf(stderr, "\r\033[K");
  if (evaluator.samples() == 0) return fail(fmt::format("{}: no samples to evaluate", a.data));

  if (!a.save.empty()) {
    Status saved = model->save(a.save);
    if (!saved.ok()) return fail(saved.message());
  }
  if (a.json) {
    std::string m;
    for (size_t i = 0; i < evaluator.n_metrics(); ++i) {
      m += fmt::format("{}\"{}\": {:.6g}", i ? ", " : "", json_escape(evaluator.metric(i).name()),
                       evaluator.metric(i).get());
    }
    std::printf("{\"samples\": %llu, \"seconds\": %.6f, \"metrics\": {%s}, \"model\": \"%s\", \"skipped\": %llu}\n",
                static_cast<unsigned long long>(evaluator.samples()), seconds, m.c_str(),
                json_escape(model->spec()).c_str(), static_cast<unsigned long long>((*stream)->skipped()));
    return 0;
  }
  std::printf("model    %s\n", model->spec().c_str());
  std::printf("data     %s (target %s, %s)\n", a.data.c_str(), a.target.c_str(),
              std::string(ml::task_name(model->task())).c_str());
  std::printf("samples  %llu in %.3f s (%.0f samples/s, %.3f us each)\n",
              static_cast<unsigned long long>(evaluator.samples()), seconds, evaluator.samples() / seconds,
              seconds * 1e6 / evaluator.samples());
  if ((*stream)->skipped() > 0) {
    std::printf("skipped  %llu rows (malformed or without a target)\n",
                static_cast<unsigned long long>((*stream)->skipped()));
  }
  for (size_t i = 0; i < evaluator.n_metrics(); ++i) {
    std::printf("%s\n", evaluator.metric(i).report().c_str());
  }
  if (!a.save.empty()) std::printf("saved    %s\n", a.save.c_str());
  return 0;
}

}  // namespace

Runner add_eval(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  app.add_option("data", a->data, "data file: CSV, ARFF, libsvm or JSON Lines, optionally .gz")->required();
  app.add_option("--target,-t", a->target, "the column to predict")->required();
  app.add_option("--model,-m", a->model,
                 "model spec, e.g. \"preprocessing.StandardScaler | linear_model.LogisticRegression\"")
      ->required();
  app.add_option("--metric", a->metrics, "metric (repeatable), e.g. Accuracy, F1, \"Rolling(MAE, 1000)\"");
  app.add_option("--delay", a->delay, "samples between a prediction and its label (River's delay)");
  app.add_option("--seed", a->seed, "seed of every stochastic step without its own seed=");
  app.add_option("--threads", a->threads, "threads that train the members of an ensemble (same results for any count)")
      ->check(CLI::Range(1u, 256u));
  app.add_option("--save", a->save, "write the trained model to this file");
  app.add_option("--format", a->format, "auto, csv, arff, libsvm, jsonl (default: from the extension)");
  app.add_option("--pos-label", a->pos_label, "positive class of binary tasks (default: 1/true/yes, else the first label)");
  app.add_option("--limit", a->limit, "stop after this many samples");
  app.add_flag("--json", a->json, "print a JSON summary on stdout");
  app.add_flag("--strict", a->strict, "stop at the first malformed row instead of skipping it");
  app.add_flag("--quiet,-q", a->quiet, "no progress line and no skipped-row messages");
  return [a] { return run_eval(*a); };
}

}  // namespace rivulet::cli
