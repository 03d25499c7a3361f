// rivulet eval: prequential evaluation with River's semantics.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <limits>
#include <optional>

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

// As the label encoder reads a binary label: 1, 1.0, +1, true, yes (any case).
bool reads_true(std::string_view s) {
  std::string l(s);
  for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return l == "1" || l == "1.0" || l == "+1" || l == "true" || l == "yes";
}

// Anomaly detectors and clusterers, which learn without a label. Anomaly detectors follow River's
// progressive evaluation of them: each row is scored, then learned; the label (--target), when
// given, only reaches the metrics, which compare the score (as the probability of an anomaly) and,
// for a filter, its decision with it. Clusterers predict the row's cluster, then learn it; the
// report is the size of each cluster and, with --target, their purity.
int run_unlabeled_eval(const EvalArgs& a, ml::Model& model, io::Format format) {
  using Clock = std::chrono::steady_clock;
  const bool anomaly = model.task() == ml::Task::kAnomalyDetection;
  const char* kind = anomaly ? "an anomaly detector" : "a clusterer";
  if (a.delay != 0) {
    return fail(
        fmt::format("--delay: {} learns each row as it reads it, without a label; "
                    "delays apply to classifiers and regressors",
                    kind));
  }
  if (!anomaly && !a.metrics.empty()) {
    return fail(
        fmt::format("--metric {}: a clusterer has no metrics; rivulet eval reports the "
                    "size of each cluster and, with --target, their purity",
                    a.metrics[0]));
  }
  if (anomaly && a.target.empty() && !a.metrics.empty()) {
    return fail(fmt::format("--metric {} needs --target: the column that labels the anomalies",
                            a.metrics[0]));
  }
  std::vector<std::unique_ptr<ml::Metric>> metrics;
  if (anomaly && !a.target.empty()) {
    std::vector<std::string> names = a.metrics;
    if (names.empty()) names.push_back("ROCAUC");
    for (const auto& name : names) {
      auto metric = ml::make_metric(name);
      if (!metric.ok())
        return fail(fmt::format("--metric {}: {}", name, metric.status().message()));
      if ((*metric)->task() != ml::MetricTask::kClassification) {
        return fail(
            fmt::format("--metric {} is a regression metric but the model is an anomaly "
                        "detector: its metrics compare scores with the anomaly label "
                        "(ROCAUC, LogLoss)",
                        name));
      }
      if (!(*metric)->needs_proba() && !model.has_decision()) {
        return fail(
            fmt::format("--metric {} compares decisions, but {} only scores: wrap it in "
                        "anomaly.ThresholdFilter or anomaly.QuantileFilter, or use ROCAUC",
                        name, model.spec()));
      }
      // No label encoder: class 1 is the positive one, the anomaly.
      metrics.push_back(std::move(metric).value());
    }
  }

  StreamOptions so{a.data, a.target, format, a.strict, a.quiet, a.limit};
  auto stream = LabeledStream::open(so, model);
  if (!stream.ok()) return fail(stream.status().message());
  const bool progress = !a.quiet && isatty(STDERR_FILENO);
  const auto start = Clock::now();
  auto last_progress = start;
  uint64_t samples = 0, flagged = 0, anomalous_labels = 0;
  double score_sum = 0.0, score_max = -std::numeric_limits<double>::infinity();
  std::vector<uint64_t> sizes;                  // by cluster
  std::vector<std::vector<uint64_t>> by_label;  // [cluster][label]
  LabelEncoder labels;
  constexpr size_t kMaxClasses = 10000;
  double proba[2];
  for (;;) {
    auto next = (*stream)->next();
    if (!next.ok()) return fail(next.status().message());
    if (!next->has_value()) break;
    const Sample& s = **next;
    ++samples;
    if (anomaly) {
      std::optional<bool> decision;
      const double score = model.score_then_learn(*s.x, &decision);
      score_sum += score;
      score_max = std::max(score_max, score);
      flagged += decision.value_or(false) ? 1 : 0;
      if (s.target != nullptr) {
        const bool is_anomaly =
            a.pos_label.empty() ? reads_true(s.target->text) : s.target->text == a.pos_label;
        anomalous_labels += is_anomaly ? 1 : 0;
        proba[0] = 1.0 - score;
        proba[1] = score;
        const ClassId predicted = decision.value_or(score >= 0.5) ? 1 : 0;
        for (auto& m : metrics) {
          static_cast<ml::ClassificationMetric&>(*m).update(is_anomaly ? 1 : 0, predicted, proba);
        }
      }
    } else {
      const auto c = static_cast<size_t>(model.predict_then_learn_cluster(*s.x));
      if (c >= sizes.size()) {
        sizes.resize(c + 1, 0);
        by_label.resize(c + 1);
      }
      ++sizes[c];
      if (s.target != nullptr) {
        if (labels.size() >= kMaxClasses && !labels.find(s.target->text)) {
          return fail(
              fmt::format("{}:{}: the target '{}' has more than {} distinct values; "
                          "purity needs classes",
                          a.data, s.line, a.target, kMaxClasses));
        }
        const ClassId y = labels.intern(s.target->text);
        if (y >= by_label[c].size()) by_label[c].resize(y + 1, 0);
        ++by_label[c][y];
      }
    }
    if (progress && (samples & 1023) == 0) {
      const auto now = Clock::now();
      if (now - last_progress > std::chrono::milliseconds(200)) {
        last_progress = now;
        const double secs = std::chrono::duration<double>(now - start).count();
        std::fprintf(stderr, "\r%llu rows  %.0f rows/s   ",
                     static_cast<unsigned long long>(samples), samples / secs);
      }
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (progress) std::fprintf(stderr, "\r\033[K");
  if (samples == 0) return fail(fmt::format("{}: no samples to evaluate", a.data));
  if (!a.save.empty()) {
    Status saved = model.save(a.save);
    if (!saved.ok()) return fail(saved.message());
  }
  // Purity: the share of rows whose cluster's most common label is theirs.
  uint64_t pure = 0;
  for (const auto& counts : by_label) {
    uint64_t best = 0;
    for (uint64_t n : counts) best = std::max(best, n);
    pure += best;
  }
  const double purity = static_cast<double>(pure) / static_cast<double>(samples);
  const double n = static_cast<double>(samples);
  const unsigned long long skipped = (*stream)->skipped();

  if (a.json) {
    std::string out = fmt::format("{{\"samples\": {}, \"seconds\": {:.6f}", samples, seconds);
    if (anomaly) {
      std::string m;
      for (size_t i = 0; i < metrics.size(); ++i) {
        m += fmt::format("{}\"{}\": {:.6g}", i ? ", " : "", json_escape(metrics[i]->name()),
                         metrics[i]->get());
      }
      out += fmt::format(", \"metrics\": {{{}}}, \"mean_score\": {:.6g}, \"max_score\": {:.6g}", m,
                         score_sum / n, score_max);
      if (model.has_decision()) out += fmt::format(", \"anomalies\": {}", flagged);
      if (!a.target.empty()) out += fmt::format(", \"anomalous_labels\": {}", anomalous_labels);
    } else {
      std::string c;
      for (size_t i = 0; i < sizes.size(); ++i)
        c += fmt::format("{}\"{}\": {}", i ? ", " : "", i, sizes[i]);
      out += fmt::format(", \"clusters\": {{{}}}", c);
      if (!a.target.empty()) out += fmt::format(", \"purity\": {:.6g}", purity);
    }
    out +=
        fmt::format(", \"model\": \"{}\", \"skipped\": {}}}", json_escape(model.spec()), skipped);
    std::printf("%s\n", out.c_str());
    return 0;
  }
  std::printf("model    %s\n", model.spec().c_str());
  std::printf("data     %s (%s, %s)\n", a.data.c_str(),
              a.target.empty() ? "no target" : fmt::format("target {}", a.target).c_str(),
              std::string(ml::task_name(model.task())).c_str());
  std::printf("samples  %llu in %.3f s (%.0f samples/s, %.3f us each)\n",
              static_cast<unsigned long long>(samples), seconds, n / seconds, seconds * 1e6 / n);
  if (skipped > 0) std::printf("skipped  %llu rows (malformed or without a target)\n", skipped);
  if (anomaly) {
    std::printf("scores   mean %.6g, max %.6g\n", score_sum / n, score_max);
    if (model.has_decision()) {
      std::printf("flagged  %llu anomalies (%.2f%%)\n", static_cast<unsigned long long>(flagged),
                  100.0 * static_cast<double>(flagged) / n);
    }
    if (!a.target.empty()) {
      std::printf("labels   %llu anomalous (%.2f%%)\n",
                  static_cast<unsigned long long>(anomalous_labels),
                  100.0 * static_cast<double>(anomalous_labels) / n);
    }
    for (const auto& m : metrics) std::printf("%s\n", m->report().c_str());
  } else {
    const auto used = std::count_if(sizes.begin(), sizes.end(), [](uint64_t k) { return k > 0; });
    std::printf("clusters %lld non-empty\n", static_cast<long long>(used));
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (sizes[i] == 0) continue;
      std::printf("  %zu: %llu (%.2f%%)\n", i, static_cast<unsigned long long>(sizes[i]),
                  100.0 * static_cast<double>(sizes[i]) / n);
    }
    if (!a.target.empty()) std::printf("Purity: %.6f (against %s)\n", purity, a.target.c_str());
  }
  if (!a.save.empty()) std::printf("saved    %s\n", a.save.c_str());
  return 0;
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
  if (model->task() == ml::Task::kAnomalyDetection || model->task() == ml::Task::kClustering) {
    return run_unlabeled_eval(a, *model, *format);
  }
  if (a.target.empty()) {
    return fail(fmt::format("--target is required: the column {} predicts", a.model));
  }
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
  app.add_option("--target,-t", a->target,
                 "the column to predict; for an anomaly detector the anomaly label (optional), "
                 "for a clusterer the classes its clusters are compared with (optional)");
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
  app.add_option("--pos-label", a->pos_label,
                 "positive class of binary tasks (default: 1/true/yes, else the first label); for "
                 "an anomaly detector the label of anomalies (default: 1/true/yes)");
  app.add_option("--limit", a->limit, "stop after this many samples");
  app.add_flag("--json", a->json, "print a JSON summary on stdout");
  app.add_flag("--strict", a->strict, "stop at the first malformed row instead of skipping it");
  app.add_flag("--quiet,-q", a->quiet, "no progress line and no skipped-row messages");
  return [a] { return run_eval(*a); };
}

}  // namespace rivulet::cli
