#include "rivulet/ml/model.h"

#include <fmt/format.h>
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "rivulet/ml/anomaly/anomaly_filter.h"
#include "rivulet/ml/registry.h"
#include "rivulet/ml/spec.h"

namespace rivulet::ml {
namespace {

constexpr char kMagic[8] = {'R', 'I', 'V', 'M', 'O', 'D', 'E', 'L'};
constexpr uint32_t kFormatVersion = 1;

uint32_t crc_of(std::string_view bytes) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

std::string_view kind_name(EstimatorKind kind) {
  switch (kind) {
    case EstimatorKind::kTransformer: return "transformer";
    case EstimatorKind::kClassifier: return "classifier";
    case EstimatorKind::kRegressor: return "regressor";
    case EstimatorKind::kAnomalyDetector: return "anomaly detector";
    case EstimatorKind::kClusterer: return "clusterer";
  }
  return "estimator";
}

}  // namespace

std::string_view task_name(Task task) {
  switch (task) {
    case Task::kClassification:
      return "classification";
    case Task::kRegression:
      return "regression";
    case Task::kAnomalyDetection:
      return "anomaly detection";
    case Task::kClustering:
      return "clustering";
  }
  return "unknown";
}

Model::~Model() = default;

Result<Model> Model::create(std::string_view spec, const ModelOptions& options) {
  auto steps = parse_spec(spec);
  if (!steps.ok()) return steps.status();
  Model model;
  model.spec_ = std::string(spec);
  model.options_ = options;
  model.space_ = std::make_unique<FeatureSpace>();
  model.labels_ = std::make_unique<LabelEncoder>(options.pos_label);
  for (size_t i = 0; i < steps->size(); ++i) {
    const SpecCall& call = (*steps)[i];
    auto made = make_estimator(call, options.seed);
    if (!made.ok()) return made.status();
    std::unique_ptr<Estimator> estimator = std::move(made).value();
    const bool last = i + 1 == steps->size();
    if (!last) {
      if (estimator->kind() != EstimatorKind::kTransformer) {
        return Status::invalid_argument(fmt::format(
            "model spec, column {}: {} is a {}; every step before the last must be a transformer",
            call.column, call.name,
            kind_name(estimator->kind())));
      }
      model.transformers_.emplace_back(static_cast<Transformer*>(estimator.release()));
      continue;
    }
    switch (estimator->kind()) {
      case EstimatorKind::kClassifier:
        model.task_ = Task::kClassification;
        model.classifier_ = static_cast<Classifier*>(estimator.get());
        break;
      case EstimatorKind::kRegressor:
        model.task_ = Task::kRegression;
        model.regressor_ = static_cast<Regressor*>(estimator.get());
        break;
      case EstimatorKind::kTransformer:
        return Status::invalid_argument(fmt::format(
            "model spec, column {}: {} is a transformer; the last step must be a classifier, a "
            "regressor, an anomaly detector or a clusterer (see `rivulet models`)",
            call.column, call.name));
      case EstimatorKind::kAnomalyDetector:
        model.task_ = Task::kAnomalyDetection;
        model.detector_ = static_cast<AnomalyDetector*>(estimator.get());
        model.filter_ = dynamic_cast<AnomalyFilter*>(model.detector_);
        break;
      case EstimatorKind::kClusterer:
        model.task_ = Task::kClustering;
        model.clusterer_ = static_cast<Clusterer*>(estimator.get());
        break;
    }
    model.final_ = std::move(estimator);
  }
  model.attach_all();
  return model;
}

void Model::set_threads(unsigned threads) {
  parallel_ = threads > 1 ? std::make_unique<ParallelFor>(threads) : nullptr;
  attach_all();
}

void Model::attach_all() {
  const ModelContext context{space_.get(), labels_.get(), parallel_.get()};
  for (auto& t : transformers_) t->attach(context);
  final_->attach(context);
}

const Estimator& Model::step(size_t i) const {
  return i < transformers_.size() ? static_cast<const Estimator&>(*transformers_[i]) : *final_;
}

const Features& Model::transform(const Features& x, bool learn_unsupervised) {
  const Features* current = &x;
  int next = 0;
  for (auto& t : transformers_) {
    if (learn_unsupervised) t->learn_one(*current);
    t->transform_one(*current, buffers_[next]);
    current = &buffers_[next];
    next ^= 1;
  }
  return *current;
}

std::optional<ClassId> Model::predict_one(const Features& x) {
  return classifier_->predict_one(transform(x, true), scratch_);
}

bool Model::predict_proba_one(const Features& x, std::vector<double>& proba) {
  return classifier_->predict_proba_one(transform(x, true), proba);
}

void Model::learn_one(const Features& x, ClassId y) {
  classifier_->learn_one(transform(x, false), y);
  ++n_learned_;
}

double Model::predict_value(const Features& x) { return regressor_->predict_one(transform(x, true)); }

void Model::learn_value(const Features& x, double y) {
  regressor_->learn_one(transform(x, false), y);
  ++n_learned_;
}

std::optional<ClassId> Model::predict_transformed(const Features& z, std::vector<double>* proba) {
  if (proba == nullptr) return classifier_->predict_one(z, scratch_);
  // The label comes from the classifier's own predict_one, as binary learners decide ties.
  if (!classifier_->predict_proba_one(z, *proba)) return std::nullopt;
  return classifier_->predict_one(z, scratch_);
}

std::optional<ClassId> Model::predict(const Features& x, std::vector<double>* proba) {
  return predict_transformed(transform(x, true), proba);
}

std::optional<ClassId> Model::predict_then_learn(const Features& x, ClassId y, std::vector<double>* proba) {
  const Features& z = transform(x, true);
  const std::optional<ClassId> predicted = predict_transformed(z, proba);
  classifier_->learn_one(z, y);
  ++n_learned_;
  return predicted;
}

double Model::predict_then_learn_value(const Features& x, double y) {
  const Features& z = transform(x, true);
  const double predicted = regressor_->predict_one(z);
  regressor_->learn_one(z, y);
  ++n_learned_;
  return predicted;
}

double Model::score_one(const Features& x) { return detector_->score_one(transform(x, true)); }

std::optional<bool> Model::classify(double score) const {
  if (filter_ == nullptr) return std::nullopt;
  return filter_->classify(score);
}

double Model::score_then_learn(const Features& x, std::optional<bool>* anomaly) {
  const Features& z = transform(x, true);
  const double score = detector_->score_one(z);
  if (filter_ != nullptr) {
    if (anomaly != nullptr) *anomaly = filter_->classify(score);
    filter_->learn_scored(z, score);  // learn_one(z) without scoring z again
  } else {
    if (anomaly != nullptr) anomaly->reset();
    detector_->learn_one(z);
  }
  ++n_learned_;
  return score;
}

int Model::predict_cluster(const Features& x) {
  return clusterer_->predict_one(transform(x, true));
}

int Model::predict_then_learn_cluster(const Features& x) {
  const Features& z = transform(x, true);
  const int cluster = clusterer_->predict_one(z);
  clusterer_->learn_one(z);
  ++n_learned_;
  return cluster;
}

void Model::learn_unlabeled(const Features& x) {
  const Features& z = transform(x, false);
  if (detector_ != nullptr) {
    detector_->learn_one(z);
  } else {
    clusterer_->learn_one(z);
  }
  ++n_learned_;
}

namespace {
constexpr size_t kHeaderSize = sizeof(kMagic) + 4 + 8;
}  // namespace

std::string Model::save_bytes(size_t expected) const {
  std::string bytes = save_unsealed(std::string(), expected);
  seal(bytes);
  return bytes;
}

std::string Model::save_unsealed(std::string storage, size_t expected) const {
  // The header's room first, then the payload in the same buffer, then (seal) the header
  // filled in: the payload (megabytes for a forest) is not copied again (a checkpoint's pause).
  StateBuffer buffer(std::move(storage), expected);
  {
    std::ostream body(&buffer);
    body.write(kMagic, sizeof(kMagic));
    body.write(std::string(kHeaderSize - sizeof(kMagic), '\0').data(),
               kHeaderSize - sizeof(kMagic));
    StateWriter out(body);
    out(spec_, options_.seed.has_value(), options_.seed.value_or(0), options_.pos_label, options_.target,
        n_learned_);
    out(*space_, *labels_);
    for (const auto& t : transformers_) t->save(out);
    final_->save(out);
  }
  return std::move(buffer).take();
}

void Model::seal(std::string& bytes) {
  const auto put = [&bytes](size_t at, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) bytes[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
  };
  const size_t payload_size = bytes.size() - kHeaderSize;
  put(sizeof(kMagic), kFormatVersion, 4);
  put(sizeof(kMagic) + 4, payload_size, 8);
  const uint32_t crc = crc_of(std::string_view(bytes).substr(kHeaderSize));
  bytes.resize(bytes.size() + 4);
  put(kHeaderSize + payload_size, crc, 4);
}

Status Model::save(const std::string& path) const {
  const std::string bytes = save_bytes();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return Status::unavailable(fmt::format("{}: cannot write", tmp));
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.flush();
    if (!f) return Status::unavailable(fmt::format("{}: write failed", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::unavailable(fmt::format("{}: cannot rename into place", path));
  }
  return Status();
}

Result<Model> Model::load(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::not_found(fmt::format("{}: no such model file", path));
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return load_bytes(bytes, path);
}

Result<Model> Model::load_bytes(std::string_view bytes, std::string_view origin) {
  auto corrupt = [&](std::string_view why) {
    return Status::data_loss(fmt::format("{}: not a valid rivulet model: {}", origin, why));
  };
  constexpr size_t kHeader = sizeof(kMagic) + 4 + 8;
  if (bytes.size() < kHeader + 4 || bytes.substr(0, sizeof(kMagic)) != std::string_view(kMagic, 8)) {
    return corrupt("bad magic (expected RIVMODEL)");
  }
  auto get = [&bytes](size_t at, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
    return v;
  };
  const auto version = static_cast<uint32_t>(get(8, 4));
  if (version != kFormatVersion) {
    return corrupt(fmt::format("format version {} (this build reads {})", version, kFormatVersion));
  }
  const uint64_t size = get(12, 8);
  if (size != bytes.size() - kHeader - 4) return corrupt("truncated or extended file");
  const std::string_view payload = bytes.substr(kHeader, size);
  if (static_cast<uint32_t>(get(kHeader + size, 4)) != crc_of(payload)) return corrupt("checksum mismatch");

  try {
    std::istringstream body{std::string(payload), std::ios::binary};
    StateReader in(body);
    std::string spec;
    ModelOptions options;
    bool has_seed = false;
    uint64_t seed = 0, n_learned = 0;
    in(spec, has_seed, seed, options.pos_label, options.target, n_learned);
    if (has_seed) options.seed = seed;
    auto model = create(spec, options);
    if (!model.ok()) return model.status().with_context(fmt::format("{}: stored spec", origin));
    in(*model->space_, *model->labels_);
    for (auto& t : model->transformers_) t->load(in);
    model->final_->load(in);
    model->n_learned_ = n_learned;
    model->attach_all();
    return model;
  } catch (const std::exception& e) {
    return corrupt(e.what());
  }
}

}  // namespace rivulet::ml
