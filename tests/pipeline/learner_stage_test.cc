#include "rivulet/pipeline/learner_stage.h"

#include <gtest/gtest.h>

#include <regex>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "rivulet/core/feature_extractor.h"
#include "rivulet/io/record_reader.h"
#include "rivulet/ml/drift/adwin.h"
#include "rivulet/ml/evaluate/prequential.h"
#include "rivulet/ml/registry.h"

namespace rivulet::pipeline {
namespace {

using stream::Batch;
using stream::SchemaPtr;

constexpr const char* kScalerLogReg =
    "preprocessing.StandardScaler | linear_model.LogisticRegression";

// ---- test contexts ----

class TestOpen final : public stream::OpenContext {
 public:
  size_t declare_side_output(std::string_view name, SchemaPtr schema) override {
    names.emplace_back(name);
    schemas.push_back(std::move(schema));
    return names.size() - 1;
  }
  std::vector<std::string> names;
  std::vector<SchemaPtr> schemas;
};

// Keeps every side-output row, by side output.
class TestContext final : public stream::OperatorContext {
 public:
  TestContext(stream::DeadLetters& dead, const TestOpen& open) : OperatorContext(dead) {
    for (const auto& s : open.schemas) sides.emplace_back(s);
    names = open.names;
  }
  void side(size_t id, Batch& batch) override {
    for (size_t r = 0; r < batch.size(); ++r) sides[id].append_row(batch, r);
    batch.clear();
  }
  const Batch& side_named(std::string_view name) const {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return sides[i];
    }
    ADD_FAILURE() << "no side output " << name;
    return sides.at(0);
  }
  std::vector<Batch> sides;
  std::vector<std::string> names;
};

// A stage opened on `schema`, with its contexts.
struct Harness {
  std::unique_ptr<LearnerStage> stage;
  TestOpen open;
  stream::CollectingDeadLetters dead;
  std::unique_ptr<TestContext> ctx;
  SchemaPtr out_schema;

  Harness(LearnerStage::Options options, const SchemaPtr& schema) {
    auto made = LearnerStage::create(std::move(options));
    EXPECT_TRUE(made.ok()) << made.status().message();
    stage = std::move(made).value();
    stage->set_name("learn");
    auto out = stage->open(schema, open);
    EXPECT_TRUE(out.ok()) << out.status().message();
    out_schema = *out;
    ctx = std::make_unique<TestContext>(dead, open);
  }
  explicit Harness(std::unique_ptr<LearnerStage> s, const SchemaPtr& schema) : stage(std::move(s)) {
    auto out = stage->open(schema, open);
    EXPECT_TRUE(out.ok()) << out.status().message();
    out_schema = *out;
    ctx = std::make_unique<TestContext>(dead, open);
  }
};

// ---- data ----

// A table of rows of one schema (no strings), fed to the stage in batches.
struct Table {
  SchemaPtr schema;
  std::vector<std::vector<Value>> rows;
};

// Phishing, decoded with the CSV reader: nine double features, the target `is_phishing` (bigint
// 0/1, or NULL when `with_target` is false), and `id` (bigint, the row number).
Table phishing(bool with_target = true, size_t limit = 0) {
  Table t;
  auto reader = io::open_reader(std::string(RIVULET_DATA_DIR) + "/river/phishing.csv.gz");
  EXPECT_TRUE(reader.ok());
  std::vector<SchemaField> fields;
  for (const auto& c : (*reader)->columns()) {
    fields.push_back({c, c == "is_phishing" ? Type::kInt : Type::kDouble});
  }
  fields.push_back({"id", Type::kInt});
  t.schema = std::make_shared<const Schema>(Schema::create(fields).value());
  Record record;
  while (*(*reader)->next(record)) {
    std::vector<Value> row(fields.size());
    for (const Field& f : record.fields()) {
      const bool target = (*reader)->columns()[f.column] == "is_phishing";
      if (target) {
        if (with_target) row[f.column] = Value::of_int(static_cast<int64_t>(f.number));
      } else {
        row[f.column] = Value::of_double(f.number);
      }
    }
    row.back() = Value::of_int(static_cast<int64_t>(t.rows.size()));
    t.rows.push_back(std::move(row));
    if (limit != 0 && t.rows.size() == limit) break;
  }
  return t;
}

void fill(Batch& batch, const Table& t, size_t begin, size_t end) {
  batch.clear();
  for (size_t i = begin; i < end; ++i) {
    const size_t r = batch.add_row(static_cast<int64_t>(i));
    std::copy(t.rows[i].begin(), t.rows[i].end(), batch.mutable_row(r));
  }
}

// Runs every row of `t` through the harness in batches of `batch_size`; returns the output rows.
std::vector<std::vector<Value>> run(Harness& h, const Table& t, size_t batch_size, size_t begin = 0,
                                    size_t end = SIZE_MAX) {
  end = std::min(end, t.rows.size());
  static std::deque<std::string> strings;  // keeps the output's strings alive
  std::vector<std::vector<Value>> out;
  Batch batch(t.schema);
  for (size_t i = begin; i < end; i += batch_size) {
    batch.reset(t.schema);
    fill(batch, t, i, std::min(end, i + batch_size));
    const Status s = h.stage->process(batch, *h.ctx);
    EXPECT_TRUE(s.ok()) << s.message();
    for (size_t r = 0; r < batch.size(); ++r) {
      std::vector<Value> row(batch.row(r), batch.row(r) + batch.n_fields());
      // Strings of the output die with the batch: keep the prediction's text.
      for (auto& v : row) {
        if (v.type() == Type::kString) {
          strings.emplace_back(v.as_string());
          v = Value::of_string(strings.back());
        }
      }
      out.push_back(std::move(row));
    }
  }
  return out;
}

// Strings compared by text: rows as printable text.
std::vector<std::string> text_of(const std::vector<std::vector<Value>>& rows, size_t field) {
  std::vector<std::string> out;
  for (const auto& row : rows) out.push_back(to_string(row[field]));
  return out;
}

uint64_t bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, sizeof b);
  return b;
}

// `rivulet eval`'s path, sample by sample: FeatureExtractor over the CSV reader's records, the
// label interned before predicting, predict then learn. Returns (prediction text, probability)
// per row and the accuracy.
struct Reference {
  std::vector<std::string> predictions;
  std::vector<double> probabilities;
  std::vector<bool> scored;  // the model could predict (a class not seen yet counts as wrong)
  double accuracy = 0.0;
};

Reference eval_reference(const std::string& spec, size_t limit = 0) {
  Reference ref;
  auto model = ml::Model::create(spec).value();
  auto reader = io::open_reader(std::string(RIVULET_DATA_DIR) + "/river/phishing.csv.gz").value();
  FeatureExtractor extractor(model.space());
  extractor.set_columns(reader->columns());
  const ColumnId target = *reader->column("is_phishing");
  extractor.exclude(target);
  Record record;
  Features x;
  std::vector<double> proba;
  uint64_t correct = 0, scored = 0;
  while (*reader->next(record)) {
    extractor.extract(record, x);
    const ClassId y = model.labels().intern(record.find(target)->text);
    const auto predicted = model.predict_then_learn(x, y, &proba);
    if (predicted && *predicted != kNoClass) {
      ref.predictions.push_back(model.labels().name(*predicted));
      ref.probabilities.push_back(proba[*predicted]);
    } else {
      ref.predictions.emplace_back("NULL");
      ref.probabilities.push_back(std::nan(""));
    }
    ref.scored.push_back(predicted.has_value());
    if (predicted) {
      ++scored;
      correct += *predicted == y ? 1 : 0;
    }
    if (limit != 0 && ref.predictions.size() == limit) break;
  }
  ref.accuracy = static_cast<double>(correct) / static_cast<double>(scored);
  return ref;
}

// ---- prequential evaluation = rivulet eval ----

TEST(LearnerStageTest, PhishingAccuracyEqualsRivuletEvalWhateverTheBatchSize) {
  const Table t = phishing();
  const Reference ref = eval_reference(kScalerLogReg);
  ASSERT_EQ(ref.predictions.size(), 1250u);
  EXPECT_EQ(ref.accuracy, 1115.0 / 1250.0);  // 0.8920, as `rivulet eval` prints (cli_test.cc)
  for (size_t batch_size : {1, 7, 1024}) {
    SCOPED_TRACE(batch_size);
    Harness h({.model = kScalerLogReg, .target = "is_phishing", .exclude = {"id"}}, t.schema);
    const auto out = run(h, t, batch_size);
    ASSERT_EQ(out.size(), 1250u);
    ASSERT_EQ(h.stage->n_metrics(), 1u);
    EXPECT_EQ(h.stage->metric(0).name(), "Accuracy");
    EXPECT_EQ(h.stage->metric(0).get(), 1115.0 / 1250.0);
    const size_t prediction = *h.out_schema->index_of("prediction");
    const size_t probability = *h.out_schema->index_of("probability");
    const size_t version = *h.out_schema->index_of("model_version");
    for (size_t i = 0; i < out.size(); ++i) {
      ASSERT_EQ(to_string(out[i][prediction]), ref.predictions[i]) << "row " << i;
      if (out[i][probability].is_null()) {
        ASSERT_TRUE(std::isnan(ref.probabilities[i]));
      } else {
        ASSERT_EQ(bits(out[i][probability].as_double()), bits(ref.probabilities[i])) << i;
      }
      ASSERT_EQ(out[i][version], Value::of_int(static_cast<int64_t>(i)));
    }
    EXPECT_EQ(h.stage->stats().records, 1250u);
    EXPECT_EQ(h.stage->stats().learned, 1250u);
    EXPECT_EQ(h.ctx->counts.in, 1250u);
    EXPECT_EQ(h.ctx->counts.out, 1250u);
    EXPECT_TRUE(h.dead.letters.empty());
  }
}

TEST(LearnerStageTest, OtherSpecsEqualRivuletEvalToo) {
  const Table t = phishing();
  for (const char* spec : {"naive_bayes.GaussianNB", "tree.HoeffdingTreeClassifier",
                           "linear_model.Perceptron"}) {
    SCOPED_TRACE(spec);
    const Reference ref = eval_reference(spec);
    Harness h({.model = spec, .target = "is_phishing", .exclude = {"id"}}, t.schema);
    const auto out = run(h, t, 100);
    EXPECT_EQ(h.stage->metric(0).get(), ref.accuracy);
    EXPECT_EQ(text_of(out, 11), ref.predictions);
  }
}

TEST(LearnerStageTest, OutputSchemaAndPrefix) {
  const Table t = phishing(true, 3);
  Harness h({.model = "naive_bayes.GaussianNB",
             .target = "is_phishing",
             .exclude = {"id"},
             .output_prefix = "nb_"},
            t.schema);
  EXPECT_EQ(h.out_schema->size(), t.schema->size() + 3);
  EXPECT_EQ(h.out_schema->field(11).name, "nb_prediction");
  EXPECT_EQ(h.out_schema->field(12).name, "nb_probability");
  EXPECT_EQ(h.out_schema->field(13).name, "nb_model_version");
  EXPECT_EQ(h.stage->kind(), "evaluate");
  EXPECT_FALSE(h.stage->keyed());
  EXPECT_TRUE(h.stage->needs_global_order());
  // GaussianNB cannot predict before its first update: NULL, and not scored.
  const auto out = run(h, t, 3);
  EXPECT_TRUE(out[0][11].is_null());
  EXPECT_TRUE(out[0][12].is_null());
  EXPECT_EQ(out[1][11], Value::of_string("1"));
  EXPECT_EQ(h.stage->stats().scored, 2u);
}

TEST(LearnerStageTest, ProbabilitiesFieldListsEveryClass) {
  const Table t = phishing(true, 40);
  Harness h({.model = "naive_bayes.GaussianNB",
             .target = "is_phishing",
             .exclude = {"id"},
             .probabilities = true},
            t.schema);
  ASSERT_EQ(h.out_schema->size(), t.schema->size() + 4);
  EXPECT_EQ(h.out_schema->field(13).name, "probabilities");
  EXPECT_EQ(h.out_schema->field(13).type, Type::kString);
  const auto out = run(h, t, 7);
  EXPECT_TRUE(out[0][13].is_null());  // nothing learned yet: no prediction
  EXPECT_EQ(out[1][13], Value::of_string(R"({"1": 1})"));  // only one class met so far
  for (size_t r = 30; r < 40; ++r) {
    // {"<first class met>": p, "<second>": q}: the predicted class's entry is `probability`,
    // and the two add up to 1.
    const std::string text(out[r][13].as_string());
    std::smatch m;
    ASSERT_TRUE(std::regex_match(text, m, std::regex(R"re(\{"(\w+)": ([^,]+), "(\w+)": ([^}]+)\})re")))
        << text;
    const std::string predicted(out[r][11].as_string());
    const double p = std::stod(m[m[1] == predicted ? 2 : 4]);
    EXPECT_EQ(p, out[r][12].as_double()) << text;
    EXPECT_NEAR(std::stod(m[2]) + std::stod(m[4]), 1.0, 1e-12) << text;
  }
}

// ---- delayed labels ----

Batch label_batch(const std::vector<std::pair<int64_t, int64_t>>& labels) {
  auto schema = std::make_shared<const Schema>(
      Schema::create({{"id", Type::kInt}, {"is_phishing", Type::kInt}}).value());
  Batch b(schema);
  for (const auto& [id, y] : labels) {
    const size_t r = b.add_row(id);
    b.set(r, 0, Value::of_int(id));
    b.set(r, 1, Value::of_int(y));
  }
  return b;
}

TEST(LearnerStageTest, DelayedLabelsJoinedByIdOutOfOrder) {
  constexpr size_t kRows = 400, kBatch = 10;
  const Table labelled = phishing(true, kRows);
  const Table t = phishing(false, kRows);  // the rows carry no label
  Harness h({.model = kScalerLogReg, .target = "is_phishing", .id = "id", .labels = "chargebacks"},
            t.schema);
  // Reference: predict each batch, then learn the previous batch's labels in reverse order,
  // each label interned when it arrives.
  auto model = ml::Model::create(kScalerLogReg).value();
  auto reader = io::open_reader(std::string(RIVULET_DATA_DIR) + "/river/phishing.csv.gz").value();
  FeatureExtractor extractor(model.space());
  extractor.set_columns(reader->columns());
  extractor.exclude(*reader->column("is_phishing"));
  std::vector<Features> xs(kRows);
  std::vector<std::optional<ClassId>> predicted(kRows);
  Record record;
  uint64_t correct = 0, scored = 0;
  auto deliver_reference = [&](size_t begin, size_t end) {
    for (size_t i = end; i-- > begin;) {
      const auto y = model.labels().intern(labelled.rows[i][9].as_int() == 1 ? "1" : "0");
      if (predicted[i]) {
        ++scored;
        correct += *predicted[i] == y ? 1 : 0;
      }
      model.learn_one(xs[i], y);
    }
  };
  auto deliver_stage = [&](size_t begin, size_t end) {
    std::vector<std::pair<int64_t, int64_t>> labels;
    for (size_t i = end; i-- > begin;) {
      labels.emplace_back(static_cast<int64_t>(i), labelled.rows[i][9].as_int());
    }
    Batch b = label_batch(labels);
    ASSERT_TRUE(h.stage->process_side_input(b, *h.ctx).ok());
  };
  for (size_t i = 0; i < kRows; i += kBatch) {
    for (size_t j = i; j < i + kBatch; ++j) {
      ASSERT_TRUE(*reader->next(record));
      extractor.extract(record, xs[j]);
      predicted[j] = model.predict(xs[j], nullptr);
    }
    run(h, t, kBatch, i, i + kBatch);
    if (i > 0) {
      deliver_reference(i - kBatch, i);
      deliver_stage(i - kBatch, i);
    }
  }
  EXPECT_EQ(h.stage->pending(), kBatch);
  deliver_reference(kRows - kBatch, kRows);
  deliver_stage(kRows - kBatch, kRows);
  EXPECT_EQ(h.stage->pending(), 0u);
  EXPECT_EQ(h.stage->stats().joined, kRows);
  EXPECT_EQ(h.stage->stats().scored, scored);
  EXPECT_EQ(h.stage->metric(0).get(), static_cast<double>(correct) / static_cast<double>(scored));
  EXPECT_EQ(h.stage->model()->n_learned(), kRows);
  EXPECT_EQ(correct, 329u);  // pinned: 329 of 400
  EXPECT_EQ(scored, 400u);
}

TEST(LearnerStageTest, UnlabelledPredictionsExpireAndAreCounted) {
  const Table t = phishing(false, 8);
  Harness h({.model = kScalerLogReg,
             .target = "is_phishing",
             .id = "id",
             .labels = "labels",
             .label_timeout_ms = 100},
            t.schema);
  h.ctx->now_ms = 1000;
  run(h, t, 5, 0, 5);
  h.ctx->now_ms = 1050;
  run(h, t, 5, 5, 8);
  EXPECT_EQ(h.stage->pending(), 8u);
  Batch none(t.schema);
  h.ctx->now_ms = 1099;
  ASSERT_TRUE(h.stage->on_timer(none, *h.ctx).ok());
  EXPECT_EQ(h.stage->stats().expired, 0u);
  h.ctx->now_ms = 1100;
  ASSERT_TRUE(h.stage->on_timer(none, *h.ctx).ok());
  EXPECT_EQ(h.stage->stats().expired, 5u);
  EXPECT_EQ(h.stage->pending(), 3u);
  // A label for an expired prediction finds nothing; one for a waiting prediction is joined.
  Batch labels = label_batch({{2, 1}, {6, 0}});
  ASSERT_TRUE(h.stage->process_side_input(labels, *h.ctx).ok());
  EXPECT_EQ(h.stage->stats().unmatched_labels, 1u);
  EXPECT_EQ(h.stage->stats().joined, 1u);
  EXPECT_EQ(h.stage->pending(), 2u);
  // Labels are not records of the main input.
  EXPECT_EQ(h.ctx->counts.in, 8u);
  EXPECT_EQ(h.ctx->counts.filtered, 0u);
  h.ctx->now_ms = 1150;
  ASSERT_TRUE(h.stage->on_timer(none, *h.ctx).ok());
  EXPECT_EQ(h.stage->stats().expired, 7u);
  EXPECT_EQ(h.stage->pending(), 0u);
}

TEST(LearnerStageTest, MaxPendingExpiresTheOldestFirst) {
  const Table t = phishing(false, 6);
  Harness h({.model = kScalerLogReg,
             .target = "is_phishing",
             .id = "id",
             .labels = "labels",
             .max_pending = 4},
            t.schema);
  run(h, t, 6);
  EXPECT_EQ(h.stage->pending(), 4u);
  EXPECT_EQ(h.stage->stats().expired, 2u);
  EXPECT_EQ(h.stage->stats().expired_overflow, 2u);
  Batch labels = label_batch({{0, 1}, {1, 1}, {2, 1}, {5, 0}});
  ASSERT_TRUE(h.stage->process_side_input(labels, *h.ctx).ok());
  EXPECT_EQ(h.stage->stats().unmatched_labels, 2u);  // ids 0 and 1 expired
  EXPECT_EQ(h.stage->stats().joined, 2u);
}

TEST(LearnerStageTest, BadLabelRowsAreCountedAndDeadLetteredOnce) {
  const Table t = phishing(false, 2);
  Harness h({.model = kScalerLogReg, .target = "is_phishing", .id = "id", .labels = "labels"},
            t.schema);
  run(h, t, 2);
  auto schema = std::make_shared<const Schema>(
      Schema::create({{"id", Type::kInt}, {"is_phishing", Type::kInt}}).value());
  Batch b(schema);
  b.add_row();  // no id
  const size_t r = b.add_row();
  b.set(r, 0, Value::of_int(1));  // no target
  ASSERT_TRUE(h.stage->process_side_input(b, *h.ctx).ok());
  EXPECT_EQ(h.stage->stats().bad_labels, 2u);
  ASSERT_EQ(h.dead.letters.size(), 2u);
  EXPECT_EQ(h.dead.letters[0].reason, "label without id 'id'");
  EXPECT_EQ(h.dead.letters[1].reason, "label without target 'is_phishing'");
  EXPECT_EQ(h.ctx->counts.dead, 0u);  // outside the main input's reconciliation
  // A labels input without the id field is a configuration error.
  auto wrong = std::make_shared<const Schema>(Schema::create({{"ident", Type::kInt}}).value());
  Batch w(wrong);
  const Status s = h.stage->process_side_input(w, *h.ctx);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "option 'id': labels 'labels': unknown field 'id' (fields: ident)");
}

// ---- per-key models ----

// Rows: x (double), device (string), y (string "pos"/"neg"), and with `with_id` n (bigint, the
// row number): three devices, one with the opposite concept.
Table devices(size_t n, bool with_id = false) {
  Table t;
  std::vector<SchemaField> fields = {
      {"x", Type::kDouble}, {"device", Type::kString}, {"y", Type::kString}};
  if (with_id) fields.push_back({"n", Type::kInt});
  t.schema = std::make_shared<const Schema>(Schema::create(fields).value());
  static const char* kNames[] = {"a", "b", "c"};
  for (size_t i = 0; i < n; ++i) {
    const double x = std::sin(static_cast<double>(i) * 0.7) * 3.0;
    const size_t d = (i * 7 + i / 3) % 3;
    const bool positive = d == 1 ? x < 0.5 : x > -0.5;
    t.rows.push_back({Value::of_double(x), Value::of_string(kNames[d]),
                      Value::of_string(positive ? "pos" : "neg")});
    if (with_id) t.rows.back().push_back(Value::of_int(static_cast<int64_t>(i)));
  }
  return t;
}

TEST(LearnerStageTest, PerKeyModelsAreIndependent) {
  const Table t = devices(300);
  Harness h({.model = kScalerLogReg, .target = "y", .per_key = true, .key_field = "device"},
            t.schema);
  EXPECT_TRUE(h.stage->keyed());
  EXPECT_FALSE(h.stage->needs_global_order());
  const auto out = run(h, t, 7);
  ASSERT_EQ(out.size(), 300u);
  // Each key's predictions are those of a model that saw only that key's rows.
  for (const char* key : {"a", "b", "c"}) {
    auto model = ml::Model::create(kScalerLogReg).value();
    const auto f = model.space().intern("x");
    std::vector<double> proba;
    uint64_t n = 0;
    for (size_t i = 0; i < t.rows.size(); ++i) {
      if (t.rows[i][1].as_string() != key) continue;
      const ClassId y = model.labels().intern(t.rows[i][2].as_string());
      const auto predicted =
          model.predict_then_learn(Features{{f, t.rows[i][0].as_double()}}, y, &proba);
      ASSERT_TRUE(predicted.has_value());
      if (*predicted == kNoClass) {  // the class it predicts has not been seen yet
        ASSERT_TRUE(out[i][3].is_null()) << key << " " << i;
        ASSERT_TRUE(out[i][4].is_null()) << key << " " << i;
      } else {
        ASSERT_EQ(out[i][3], Value::of_string(model.labels().name(*predicted))) << key << " " << i;
        ASSERT_EQ(bits(out[i][4].as_double()), bits(proba[*predicted])) << key << " " << i;
      }
      ASSERT_EQ(out[i][5], Value::of_int(static_cast<int64_t>(n))) << key << " " << i;
      ++n;
    }
    ASSERT_NE(h.stage->model(key), nullptr);
    EXPECT_EQ(h.stage->model(key)->n_learned(), n);
  }
  EXPECT_EQ(h.stage->stats().keys_created, 3u);
  EXPECT_EQ(h.stage->stats().keys_evicted, 0u);
}

TEST(LearnerStageTest, LeastRecentlyUsedKeysAreEvicted) {
  Table t;
  t.schema = std::make_shared<const Schema>(
      Schema::create({{"x", Type::kDouble}, {"device", Type::kString}, {"y", Type::kInt}}).value());
  for (const char* key : {"a", "b", "c", "a", "b", "b", "d"}) {
    t.rows.push_back({Value::of_double(1.0), Value::of_string(key), Value::of_int(1)});
  }
  Harness h({.model = kScalerLogReg,
             .target = "y",
             .per_key = true,
             .key_field = "device",
             .max_keys = 2},
            t.schema);
  const auto out = run(h, t, 3);
  // a, b; c evicts a; a evicts b; b evicts c; b; d evicts a.
  EXPECT_EQ(h.stage->stats().keys_created, 6u);
  EXPECT_EQ(h.stage->stats().keys_evicted, 4u);
  EXPECT_EQ(h.stage->keys(), (std::vector<std::string>{"b", "d"}));
  EXPECT_EQ(h.stage->model("a"), nullptr);
  // A key seen again after its eviction starts over: model_version 0.
  EXPECT_EQ(out[3][5], Value::of_int(0));
  EXPECT_EQ(out[5][5], Value::of_int(1));  // b's second record since it came back
}

TEST(LearnerStageTest, NullKeyIsADeadLetter) {
  Table t;
  t.schema = std::make_shared<const Schema>(
      Schema::create({{"x", Type::kDouble}, {"device", Type::kString}, {"y", Type::kInt}}).value());
  t.rows.push_back({Value::of_double(1.0), Value(), Value::of_int(1)});
  t.rows.push_back({Value::of_double(1.0), Value::of_string("a"), Value::of_int(1)});
  Harness h({.model = kScalerLogReg, .target = "y", .per_key = true, .key_field = "device"},
            t.schema);
  const auto out = run(h, t, 2);
  EXPECT_EQ(out.size(), 1u);
  ASSERT_EQ(h.dead.letters.size(), 1u);
  EXPECT_EQ(h.dead.letters[0].stage, "learn");
  EXPECT_EQ(h.dead.letters[0].reason, "key field 'device' is NULL");
  EXPECT_EQ(h.dead.letters[0].record, "{\"x\": 1, \"device\": null, \"y\": 1}");
  EXPECT_EQ(h.ctx->counts.in, 2u);
  EXPECT_EQ(h.ctx->counts.out, 1u);
  EXPECT_EQ(h.ctx->counts.dead, 1u);
}

// ---- drift ----

// x alternates around 0; the label is x > 0 for the first `change` rows, then x < 0.
Table abrupt_change(size_t n, size_t change) {
  Table t;
  t.schema = std::make_shared<const Schema>(
      Schema::create({{"x", Type::kDouble}, {"y", Type::kString}}).value());
  for (size_t i = 0; i < n; ++i) {
    const double x = (i % 2 == 0 ? 1.0 : -1.0) * (0.5 + static_cast<double>(i % 7) / 7.0);
    const bool positive = i < change ? x > 0 : x < 0;
    t.rows.push_back({Value::of_double(x), Value::of_string(positive ? "yes" : "no")});
  }
  return t;
}

TEST(LearnerStageTest, DriftResetsTheModelAtTheDetectedRecord) {
  constexpr size_t kRows = 3000, kChange = 1500;
  const Table t = abrupt_change(kRows, kChange);
  // Reference: the model's 0/1 errors through ADWIN, a fresh model on each drift.
  std::vector<size_t> expected;
  {
    auto model = ml::Model::create(kScalerLogReg).value();
    auto adwin = ml::ADWIN::create({}).value();
    std::vector<double> proba;
    for (size_t i = 0; i < kRows; ++i) {
      const auto f = model.space().intern("x");
      const Features x{{f, t.rows[i][0].as_double()}};
      const ClassId y = model.labels().intern(t.rows[i][1].as_string());
      const auto predicted = model.predict(x, &proba);
      if (predicted) {
        adwin->update(*predicted != y ? 1.0 : 0.0);
        if (adwin->drift_detected()) {
          expected.push_back(i + 1);
          model = ml::Model::create(kScalerLogReg).value();
          model.labels().intern(t.rows[i][1].as_string());
          const auto g = model.space().intern("x");
          model.learn_one(Features{{g, t.rows[i][0].as_double()}},
                          model.labels().intern(t.rows[i][1].as_string()));
          continue;
        }
      }
      model.learn_one(x, y);
    }
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_GT(expected[0], kChange);
  EXPECT_EQ(expected[0], 1536u);  // pinned

  Harness h({.model = kScalerLogReg,
             .target = "y",
             .drift_detector = "drift.ADWIN",
             .on_drift = OnDrift::kReset},
            t.schema);
  const auto out = run(h, t, 64);
  const Batch& drift = h.ctx->side_named("drift");
  ASSERT_EQ(drift.size(), expected.size());
  EXPECT_EQ(drift.schema().to_string(),
            "stage string NOT NULL, key string, time bigint, records bigint NOT NULL, detector "
            "string NOT NULL, action string NOT NULL");
  for (size_t k = 0; k < expected.size(); ++k) {
    EXPECT_EQ(drift.get(k, 0), Value::of_string("learn"));
    EXPECT_TRUE(drift.get(k, 1).is_null());
    EXPECT_EQ(drift.get(k, 2), Value::of_int(static_cast<int64_t>(expected[k] - 1)));  // event time
    EXPECT_EQ(drift.get(k, 3), Value::of_int(static_cast<int64_t>(expected[k])));
    EXPECT_EQ(drift.get(k, 4), Value::of_string("drift.ADWIN"));
    EXPECT_EQ(drift.get(k, 5), Value::of_string("reset"));
  }
  EXPECT_EQ(h.stage->stats().drifts, expected.size());
  // The record after the drift is predicted by the fresh model, which learned one record.
  EXPECT_EQ(out[expected[0]][4], Value::of_int(1));
  // The reset model predicts the new concept by the end.
  EXPECT_EQ(out[kRows - 1][2], out[kRows - 1][1]);
}

TEST(LearnerStageTest, BackgroundModelReplacesTheModelOnDrift) {
  constexpr size_t kRows = 3000;
  const Table t = abrupt_change(kRows, 1500);
  // Reference: DDM on the 0/1 errors; a background model learns the records on which DDM warns
  // and becomes the model on a drift (River's DriftRetrainingClassifier, around the whole spec).
  struct Event {
    size_t record;
    bool background;
  };
  std::vector<Event> expected;
  uint64_t warnings = 0;
  {
    auto fresh = [] {
      return std::make_unique<ml::Model>(ml::Model::create(kScalerLogReg).value());
    };
    auto features = [&t](ml::Model& m, size_t i) {
      return Features{{m.space().intern("x"), t.rows[i][0].as_double()}};
    };
    auto model = fresh();
    std::unique_ptr<ml::Model> background;
    auto ddm = ml::make_drift_detector(ml::parse_call("drift.DDM").value()).value();
    std::vector<double> proba;
    for (size_t i = 0; i < kRows; ++i) {
      const std::string_view label = t.rows[i][1].as_string();
      const ClassId y = model->labels().intern(label);
      const auto predicted = model->predict(features(*model, i), &proba);
      if (predicted) {
        ddm->update(*predicted != y ? 1.0 : 0.0);
        warnings += ddm->warning_detected() ? 1 : 0;
        if (ddm->drift_detected()) {
          expected.push_back({i + 1, background != nullptr});
          model = background ? std::move(background) : fresh();
        } else if (ddm->warning_detected()) {
          if (!background) background = fresh();
          background->learn_one(features(*background, i), background->labels().intern(label));
        }
      }
      model->learn_one(features(*model, i), model->labels().intern(label));
    }
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_TRUE(expected[0].background);
  EXPECT_EQ(expected[0].record, 1503u);  // pinned

  Harness h({.model = kScalerLogReg,
             .target = "y",
             .drift_detector = "drift.DDM",
             .on_drift = OnDrift::kBackground},
            t.schema);
  run(h, t, 100);
  const Batch& drift = h.ctx->side_named("drift");
  ASSERT_EQ(drift.size(), expected.size());
  for (size_t k = 0; k < expected.size(); ++k) {
    EXPECT_EQ(drift.get(k, 3), Value::of_int(static_cast<int64_t>(expected[k].record)));
    EXPECT_EQ(drift.get(k, 4), Value::of_string("drift.DDM"));
    EXPECT_EQ(drift.get(k, 5), Value::of_string(expected[k].background ? "background" : "reset"));
  }
  EXPECT_EQ(h.stage->stats().warnings, warnings);
}

// ---- metrics side output ----

TEST(LearnerStageTest, MetricsRowsEveryNRecords) {
  const Table t = phishing(true, 250);
  const Reference ref = eval_reference(kScalerLogReg, 250);
  Harness h({.model = kScalerLogReg,
             .target = "is_phishing",
             .exclude = {"id"},
             .metrics = {"Accuracy", "Rolling(Accuracy, 50)"},
             .metrics_every = 100},
            t.schema);
  run(h, t, 33);
  Batch none(t.schema);
  ASSERT_TRUE(h.stage->finish(none, *h.ctx).ok());
  const Batch& m = h.ctx->side_named("metrics");
  EXPECT_EQ(m.schema().to_string(),
            "stage string NOT NULL, key string, records bigint NOT NULL, Accuracy double NOT NULL, "
            "Rolling(Accuracy, 50) double NOT NULL");
  ASSERT_EQ(m.size(), 3u);
  // Expected values from the reference predictions.
  auto accuracy = [&ref, &t](size_t begin, size_t end) {
    double correct = 0, n = 0;
    for (size_t i = begin; i < end; ++i) {
      if (!ref.scored[i]) continue;
      n += 1;
      correct += ref.predictions[i] == to_string(t.rows[i][9]) ? 1 : 0;
    }
    return correct / n;
  };
  const size_t records[] = {100, 200, 250};
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(m.get(k, 0), Value::of_string("learn"));
    EXPECT_TRUE(m.get(k, 1).is_null());
    EXPECT_EQ(m.get(k, 2), Value::of_int(static_cast<int64_t>(records[k])));
    EXPECT_EQ(m.get(k, 3), Value::of_double(accuracy(0, records[k])));
    EXPECT_EQ(m.get(k, 4), Value::of_double(accuracy(records[k] - 50, records[k])));
    EXPECT_EQ(m.event_time(k), k < 2 ? static_cast<int64_t>(records[k] - 1) : stream::kNoEventTime);
  }
  EXPECT_EQ(h.stage->stats().metrics_rows, 3u);
}

TEST(LearnerStageTest, PerKeyMetricsRowsForActiveKeys) {
  const Table t = devices(60);
  Harness h({.model = kScalerLogReg,
             .target = "y",
             .per_key = true,
             .key_field = "device",
             .metrics_every = 30},
            t.schema);
  run(h, t, 60);
  const Batch& m = h.ctx->side_named("metrics");
  // Each emission: the global row, then one row per key active since the last one.
  ASSERT_EQ(m.size(), 8u);
  EXPECT_TRUE(m.get(0, 1).is_null());
  EXPECT_EQ(m.get(0, 2), Value::of_int(30));
  uint64_t key_records = 0;
  for (size_t r = 1; r < 4; ++r) key_records += static_cast<uint64_t>(m.get(r, 2).as_int());
  EXPECT_EQ(key_records, 30u);
  EXPECT_TRUE(m.get(4, 1).is_null());
  EXPECT_EQ(m.get(4, 2), Value::of_int(60));
  // The last rows hold each key's final metric.
  for (size_t r = 5; r < 8; ++r) {
    const std::string key(m.get(r, 1).as_string());
    EXPECT_EQ(m.get(r, 3), Value::of_double(h.stage->key_metric(key, 0)->get())) << key;
  }
}

TEST(LearnerStageTest, MetricsRowsEveryProcessingTimeInterval) {
  const Table t = phishing(true, 30);
  Harness h({.model = kScalerLogReg,
             .target = "is_phishing",
             .exclude = {"id"},
             .metrics_every_ms = 1000},
            t.schema);
  Batch none(t.schema);
  h.ctx->now_ms = 5000;
  ASSERT_TRUE(h.stage->on_timer(none, *h.ctx).ok());  // starts the clock
  run(h, t, 10, 0, 10);
  h.ctx->now_ms = 5999;
  ASSERT_TRUE(h.stage->on_timer(none, *h.ctx).ok());
  EXPECT_EQ(h.ctx->side_named("metrics").size(), 0u);
  h.ctx->now_ms = 6000;
  ASSERT_TRUE(h.stage->on_timer(none, *h.ctx).ok());
  run(h, t, 10, 10, 30);
  h.ctx->now_ms = 7500;
  ASSERT_TRUE(h.stage->on_timer(none, *h.ctx).ok());
  const Batch& m = h.ctx->side_named("metrics");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m.get(0, 2), Value::of_int(10));
  EXPECT_EQ(m.get(1, 2), Value::of_int(30));
  EXPECT_EQ(m.get(1, 3), Value::of_double(h.stage->metric(0).get()));
  ASSERT_TRUE(h.stage->finish(none, *h.ctx).ok());
  EXPECT_EQ(m.size(), 2u);  // nothing new since the last row
}

TEST(LearnerStageTest, LearnFromLabelsThatComeLater) {
  const Table t = phishing(false, 50);
  const Table labelled = phishing(true, 50);
  Harness h({.mode = LearnerMode::kLearn,
             .model = kScalerLogReg,
             .target = "is_phishing",
             .id = "id",
             .labels = "labels"},
            t.schema);
  EXPECT_EQ(h.ctx->names.size(), 0u);  // no metrics in a learn step
  run(h, t, 25);
  EXPECT_EQ(h.stage->pending(), 50u);
  EXPECT_EQ(h.stage->model()->n_learned(), 0u);
  std::vector<std::pair<int64_t, int64_t>> labels;
  for (int64_t i = 0; i < 50; ++i) labels.emplace_back(i, labelled.rows[i][9].as_int());
  Batch b = label_batch(labels);
  ASSERT_TRUE(h.stage->process_side_input(b, *h.ctx).ok());
  EXPECT_EQ(h.stage->model()->n_learned(), 50u);
  // The same model as River's loop: each record goes through the pipeline when it arrives (its
  // StandardScaler learns then), and the classifier learns when the label comes.
  ml::ModelOptions model_options;
  model_options.target = "is_phishing";
  auto reference = ml::Model::create(kScalerLogReg, model_options).value();
  std::vector<Features> xs(50);
  for (size_t i = 0; i < 50; ++i) {
    for (size_t f = 0; f < 9; ++f) {
      xs[i].push(reference.space().intern(t.schema->field(f).name), t.rows[i][f].as_double());
    }
    (void)reference.predict(xs[i], nullptr);
  }
  for (size_t i = 0; i < 50; ++i) {
    reference.learn_one(xs[i], reference.labels().intern(to_string(labelled.rows[i][9])));
  }
  EXPECT_EQ(h.stage->model()->save_bytes(), reference.save_bytes());
}

// ---- snapshot / restore ----

// A per-key stage over devices with ids: a model each, with a DDM detector and a background
// model on drift, two metrics, and labels joined by id `n` from the input "labels".
LearnerStage::Options per_key_with_labels() {
  return {.model = kScalerLogReg,
          .target = "y",
          .metrics = {"Accuracy", "Rolling(F1, 30)"},
          .id = "n",
          .labels = "labels",
          .per_key = true,
          .key_field = "device",
          .drift_detector = "drift.DDM",
          .on_drift = OnDrift::kBackground};
}

// The labels of rows [begin, end) of `t` (devices with ids) that carry none inline (every
// other row, from begin), as the labels input gives them: the id `n` and the class `y`.
Batch device_labels(const Table& t, size_t begin, size_t end) {
  auto schema = std::make_shared<const Schema>(
      Schema::create({{"n", Type::kInt}, {"y", Type::kString}}).value());
  Batch b(schema);
  for (size_t i = begin; i < end; i += 2) {
    const size_t r = b.add_row(static_cast<int64_t>(i));
    b.set(r, 0, t.rows[i][3]);
    b.set_string(r, 1, t.rows[i][2].as_string());
  }
  return b;
}

TEST(LearnerStageTest, SnapshotRestoreContinuesBitIdentically) {
  const Table t = devices(600, /*with_id=*/true);
  LearnerStage::Options options = per_key_with_labels();
  options.max_keys = 2;
  options.metrics_every = 50;
  // Half the rows carry their label inline; the others wait for theirs.
  Table mixed = t;
  for (size_t i = 0; i < mixed.rows.size(); i += 2) mixed.rows[i][2] = Value();
  auto label_rows = [&t](size_t begin, size_t end) { return device_labels(t, begin, end); };
  Harness a(options, mixed.schema);
  std::vector<std::vector<Value>> out_a;
  auto step = [&](Harness& h, size_t begin, size_t end) {
    auto out = run(h, mixed, 16, begin, end);
    Batch labels = label_rows(begin, end);
    EXPECT_TRUE(h.stage->process_side_input(labels, *h.ctx).ok());
    return out;
  };
  step(a, 0, 300);
  // A few predictions still wait: their labels come after the restore.
  run(a, mixed, 16, 300, 320);
  EXPECT_GT(a.stage->pending(), 0u);

  std::ostringstream bytes(std::ios::binary);
  {
    StateWriter w(bytes);
    a.stage->snapshot(w);
  }
  auto cloned = a.stage->clone();
  auto* raw = static_cast<LearnerStage*>(cloned.release());
  Harness b(std::unique_ptr<LearnerStage>(raw), mixed.schema);
  b.stage->set_name("learn");
  {
    std::istringstream in(bytes.str(), std::ios::binary);
    StateReader r(in);
    const Status s = b.stage->restore(r);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  EXPECT_EQ(b.stage->pending(), a.stage->pending());
  EXPECT_EQ(b.stage->keys(), a.stage->keys());

  // Both continue the same way.
  for (Harness* h : {&a, &b}) {
    Batch labels = label_rows(300, 320);
    ASSERT_TRUE(h->stage->process_side_input(labels, *h->ctx).ok());
  }
  const auto rest_a = step(a, 320, 600);
  const auto rest_b = step(b, 320, 600);
  ASSERT_EQ(rest_a.size(), rest_b.size());
  for (size_t i = 0; i < rest_a.size(); ++i) {
    for (size_t f = 0; f < rest_a[i].size(); ++f) {
      const Value va = rest_a[i][f], vb = rest_b[i][f];
      if (va.type() == Type::kDouble && vb.type() == Type::kDouble) {
        ASSERT_EQ(bits(va.as_double()), bits(vb.as_double())) << i << " " << f;
      } else {
        ASSERT_EQ(va, vb) << i << " " << f;
      }
    }
  }
  for (size_t i = 0; i < a.stage->n_metrics(); ++i) {
    EXPECT_EQ(bits(a.stage->metric(i).get()), bits(b.stage->metric(i).get()));
  }
  EXPECT_EQ(a.stage->stats().learned, b.stage->stats().learned);
  EXPECT_EQ(a.stage->stats().drifts, b.stage->stats().drifts);
  EXPECT_EQ(a.stage->stats().keys_evicted, b.stage->stats().keys_evicted);
  EXPECT_EQ(a.stage->stats().metrics_rows, b.stage->stats().metrics_rows);
  EXPECT_GT(a.stage->stats().keys_evicted, 0u);
  // The metrics rows after the snapshot are the same too.
  const Batch& ma = a.ctx->side_named("metrics");
  const Batch& mb = b.ctx->side_named("metrics");
  ASSERT_GT(mb.size(), 0u);
  const size_t offset = ma.size() - mb.size();
  for (size_t r = 0; r < mb.size(); ++r) {
    for (size_t f = 0; f < mb.n_fields(); ++f) EXPECT_EQ(ma.get(offset + r, f), mb.get(r, f));
  }
}

TEST(LearnerStageTest, RestoreRejectsCorruptOrForeignState) {
  const Table t = phishing(true, 20);
  Harness a({.model = kScalerLogReg, .target = "is_phishing", .exclude = {"id"}}, t.schema);
  run(a, t, 20);
  std::ostringstream bytes(std::ios::binary);
  {
    StateWriter w(bytes);
    a.stage->snapshot(w);
  }
  const std::string state = bytes.str();
  {
    Harness b({.model = kScalerLogReg, .target = "is_phishing", .exclude = {"id"}}, t.schema);
    std::istringstream in(state.substr(0, state.size() / 2), std::ios::binary);
    StateReader r(in);
    const Status s = b.stage->restore(r);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  }
  {
    Harness b({.model = "naive_bayes.GaussianNB", .target = "is_phishing"}, t.schema);
    std::istringstream in(state, std::ios::binary);
    StateReader r(in);
    const Status s = b.stage->restore(r);
    EXPECT_EQ(s.code(), StatusCode::kDataLoss);
    EXPECT_NE(s.message().find("another configuration"), std::string::npos) << s.message();
  }
}

std::string snapshot_bytes(const LearnerStage& stage) {
  std::ostringstream bytes(std::ios::binary);
  {
    StateWriter w(bytes);
    stage.snapshot(w);
  }
  return bytes.str();
}

// The bytes an asynchronous snapshot's function writes (Operator::snapshot_async).
std::string written(const std::function<void(StateWriter&)>& write) {
  std::ostringstream bytes(std::ios::binary);
  {
    StateWriter w(bytes);
    write(w);
  }
  return bytes.str();
}

// Asynchronous snapshots: the models are walked at the freeze, so the function, run after more
// records and labels, writes the bytes snapshot() wrote then: per-key models with detectors,
// background models and metrics, predictions waiting for labels, and a forest; three times in
// a row (the models' buffers are reused), the last after the stage is gone.
TEST(LearnerStageTest, AnAsynchronousSnapshotWritesTheStateAsItWasWhileRecordsGoOn) {
  const Table t = devices(600, /*with_id=*/true);
  Table mixed = t;  // half the rows wait for their labels
  for (size_t i = 0; i < mixed.rows.size(); i += 2) mixed.rows[i][2] = Value();
  const auto labels = [&t](Harness& h, size_t begin, size_t end) {
    Batch b = device_labels(t, begin, end);
    ASSERT_TRUE(h.stage->process_side_input(b, *h.ctx).ok());
  };
  Harness h(per_key_with_labels(), mixed.schema);
  size_t at = 0;
  const auto more = [&](size_t n) {
    run(h, mixed, 16, at, at + n);
    labels(h, at, at + n - 10);  // the last rows' labels come later
    at += n;
  };
  more(150);
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    ASSERT_GT(h.stage->pending(), 0u);
    const std::string then = snapshot_bytes(*h.stage);
    auto write = h.stage->snapshot_async(false);
    ASSERT_TRUE(write);
    if (round < 2) {
      more(150);
      EXPECT_NE(snapshot_bytes(*h.stage), then);
    } else {
      h.stage.reset();
    }
    EXPECT_EQ(written(write), then);
  }

  const Table p = phishing(true, 600);
  Harness forest({.model = "forest.ARFClassifier(n_models=3, seed=7)",
                  .target = "is_phishing",
                  .exclude = {"id"}},
                 p.schema);
  run(forest, p, 20, 0, 300);
  const std::string then = snapshot_bytes(*forest.stage);
  const auto write = forest.stage->snapshot_async(false);
  run(forest, p, 20, 300, 600);
  EXPECT_NE(snapshot_bytes(*forest.stage), then);
  EXPECT_EQ(written(write), then);
}

TEST(LearnerStageTest, ModelsInSnapshotFindsEveryModelWithoutAStage) {
  const Table t = devices(300);
  // Per-key detectors and metrics sit between the models: they are skipped without knowing them.
  Harness h({.model = kScalerLogReg,
             .target = "y",
             .metrics = {"Accuracy", "Rolling(F1, 30)"},
             .per_key = true,
             .key_field = "device",
             .drift_detector = "drift.DDM",
             .on_drift = OnDrift::kBackground},
            t.schema);
  run(h, t, 16);
  auto found = LearnerStage::models_in_snapshot(snapshot_bytes(*h.stage));
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found->mode, LearnerMode::kEvaluate);
  EXPECT_EQ(found->spec, kScalerLogReg);
  EXPECT_TRUE(found->per_key);
  std::vector<std::string> keys;
  uint64_t records = 0;
  for (const SnapshotModel& m : found->models) {
    keys.push_back(m.key);
    records += m.records;
    EXPECT_EQ(m.bytes, h.stage->model(m.key)->save_bytes()) << m.key;
  }
  EXPECT_EQ(keys, h.stage->keys());  // least recently used first
  EXPECT_EQ(records, 300u);

  Harness global({.mode = LearnerMode::kLearn, .model = kScalerLogReg, .target = "y"}, t.schema);
  run(global, t, 16, 0, 50);
  found = LearnerStage::models_in_snapshot(snapshot_bytes(*global.stage));
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found->mode, LearnerMode::kLearn);
  EXPECT_FALSE(found->per_key);
  ASSERT_EQ(found->models.size(), 1u);
  EXPECT_EQ(found->models[0].key, "");
  EXPECT_EQ(found->models[0].records, 50u);
  EXPECT_EQ(found->models[0].bytes, global.stage->model()->save_bytes());
}

TEST(LearnerStageTest, ModelsInSnapshotRejectsTruncatedOrCorruptBytes) {
  const Table t = devices(60);
  Harness h({.model = kScalerLogReg,
             .target = "y",
             .per_key = true,
             .key_field = "device",
             .drift_detector = "drift.ADWIN"},
            t.schema);
  run(h, t, 16);
  const std::string state = snapshot_bytes(*h.stage);
  for (size_t n = 0; n < state.size(); ++n) {
    auto found = LearnerStage::models_in_snapshot(std::string_view(state).substr(0, n));
    ASSERT_EQ(found.status().code(), StatusCode::kDataLoss) << n;
  }
  // A flipped byte is caught, or lands in bytes it does not read or check (model bytes carry
  // their own checksum, checked when loaded); it never reads or allocates past the end.
  for (size_t i = 0; i < state.size(); ++i) {
    std::string bad = state;
    bad[i] = static_cast<char>(bad[i] ^ 0xff);
    auto found = LearnerStage::models_in_snapshot(bad);
    if (!found.ok()) {
      ASSERT_EQ(found.status().code(), StatusCode::kDataLoss) << i;
    }
  }
  auto other = LearnerStage::models_in_snapshot("offset 42");
  EXPECT_EQ(other.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(other.status().message(), "learner state: not a learner stage's state");
}

// ---- predict and learn ----

TEST(LearnerStageTest, PredictWithAModelSavedByRivuletEval) {
  const Table t = phishing(true, 200);
  // Train as `rivulet eval --save` would.
  Harness learn({.mode = LearnerMode::kLearn,
                 .model = kScalerLogReg,
                 .target = "is_phishing",
                 .exclude = {"id"}},
                t.schema);
  EXPECT_EQ(learn.stage->kind(), "learn");
  const auto learned = run(learn, t, 50, 0, 100);
  EXPECT_EQ(learn.out_schema->size(), t.schema->size() + 1);  // model_version only
  EXPECT_EQ(learned[99][11], Value::of_int(100));
  const std::string path = ::testing::TempDir() + "/learner_stage_model.bin";
  ASSERT_TRUE(learn.stage->model()->save(path).ok());

  Harness predict({.mode = LearnerMode::kPredict,
                   .model_path = path,
                   .target = "is_phishing",
                   .exclude = {"id"}},
                  t.schema);
  auto reference = ml::Model::load(path).value();
  const auto out = run(predict, t, 64, 100, 200);
  FeatureSpace& space = reference.space();
  std::vector<double> proba;
  for (size_t i = 0; i < out.size(); ++i) {
    Features x;
    for (size_t f = 0; f < 9; ++f) {
      x.push(*space.find(t.schema->field(f).name), t.rows[100 + i][f].as_double());
    }
    const auto c = reference.predict(x, &proba);
    ASSERT_TRUE(c.has_value());
    ASSERT_EQ(out[i][11], Value::of_string(reference.labels().name(*c)));
    ASSERT_EQ(bits(out[i][12].as_double()), bits(proba[*c]));
    ASSERT_EQ(out[i][13], Value::of_int(100));  // predict never learns
  }
  // A spec that contradicts the file is an error.
  auto wrong = LearnerStage::create(
      {.mode = LearnerMode::kPredict, .model = "naive_bayes.GaussianNB", .model_path = path});
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("option 'model'"), std::string::npos);
  std::remove(path.c_str());
}

TEST(LearnerStageTest, RegressionEvaluateEqualsPrequentialEvaluator) {
  Table t;
  t.schema = std::make_shared<const Schema>(
      Schema::create({{"a", Type::kDouble}, {"b", Type::kInt}, {"y", Type::kDouble}}).value());
  for (int i = 0; i < 300; ++i) {
    const double a = std::cos(i * 0.3), b = i % 5;
    t.rows.push_back({Value::of_double(a), Value::of_int(i % 5), Value::of_double(2 * a - b + 1)});
  }
  Harness h({.model = "preprocessing.StandardScaler | linear_model.LinearRegression",
             .target = "y",
             .metrics = {"MAE", "RMSE"}},
            t.schema);
  const auto out = run(h, t, 13);
  auto model =
      ml::Model::create("preprocessing.StandardScaler | linear_model.LinearRegression").value();
  std::vector<std::unique_ptr<ml::Metric>> metrics;
  metrics.push_back(ml::make_metric("MAE").value());
  metrics.push_back(ml::make_metric("RMSE").value());
  ml::PrequentialEvaluator eval(model, std::move(metrics), {});
  const auto fa = model.space().intern("a"), fb = model.space().intern("b");
  for (const auto& row : t.rows) {
    eval.learn_value(Features{{fa, row[0].as_double()}, {fb, static_cast<double>(row[1].as_int())}},
                     row[2].as_double());
  }
  EXPECT_EQ(h.stage->metric(0).get(), eval.metric(0).get());
  EXPECT_EQ(h.stage->metric(1).get(), eval.metric(1).get());
  EXPECT_EQ(h.out_schema->field(3).type, Type::kDouble);
  EXPECT_EQ(h.out_schema->field(3).name, "prediction");
}

TEST(LearnerStageTest, AnomalyScoresThenLearns) {
  const Table t = phishing(true, 300);
  const char* spec = "anomaly.HalfSpaceTrees(seed=42)";
  Harness h({.model = spec, .target = "is_phishing", .exclude = {"id"}}, t.schema);
  EXPECT_EQ(h.out_schema->field(11).name, "score");
  EXPECT_EQ(h.out_schema->field(12).name, "model_version");
  const auto out = run(h, t, 50);
  auto model = ml::Model::create(spec).value();
  for (size_t i = 0; i < t.rows.size(); ++i) {
    Features x;
    for (size_t f = 0; f < 9; ++f) {
      x.push(model.space().intern(t.schema->field(f).name), t.rows[i][f].as_double());
    }
    ASSERT_EQ(bits(out[i][11].as_double()), bits(model.score_then_learn(x))) << i;
  }
  EXPECT_EQ(h.stage->metric(0).name(), "ROCAUC");
}

TEST(LearnerStageTest, OptionErrorsNameTheOption) {
  auto message = [](LearnerStage::Options o) {
    auto made = LearnerStage::create(std::move(o));
    return made.ok() ? std::string("ok") : made.status().message();
  };
  EXPECT_NE(message({}).find("option 'model'"), std::string::npos);
  EXPECT_NE(message({.model = "linear_model.Nope", .target = "y"}).find("option 'model'"),
            std::string::npos);
  EXPECT_NE(message({.model = kScalerLogReg}).find("option 'target'"), std::string::npos);
  EXPECT_NE(message({.model = kScalerLogReg, .target = "y", .labels = "l"}).find("option 'id'"),
            std::string::npos);
  EXPECT_NE(message({.model = kScalerLogReg, .target = "y", .metrics = {"MAE"}})
                .find("MAE is a regression metric"),
            std::string::npos);
  EXPECT_NE(message({.model = kScalerLogReg, .target = "y", .metrics = {"Accuracy", "Accuracy"}})
                .find("listed twice"),
            std::string::npos);
  EXPECT_NE(message({.model = kScalerLogReg, .target = "y", .per_key = true}).find("key_field"),
            std::string::npos);
  EXPECT_NE(message({.model = kScalerLogReg, .target = "y", .drift_detector = "drift.Nope"})
                .find("option 'drift_detector'"),
            std::string::npos);
  EXPECT_NE(message({.model = kScalerLogReg, .target = "y", .label_timeout_ms = 0})
                .find("label_timeout_ms"),
            std::string::npos);
  EXPECT_NE(message({.model_path = "/nonexistent/model.bin"}).find("model_path"),
            std::string::npos);
  EXPECT_EQ(parse_learner_mode("fit").status().message(),
            "unknown learner step 'fit' (valid: evaluate, predict, learn)");
  EXPECT_EQ(parse_on_drift("restart").status().message(),
            "option 'on_drift': 'restart' is not valid (valid: reset, background)");
}

TEST(LearnerStageTest, OpenErrorsNameTheField) {
  const Table t = phishing(true, 1);
  stream::OpenContext ctx;
  auto open = [&](LearnerStage::Options o) {
    auto stage = LearnerStage::create(std::move(o)).value();
    auto out = stage->open(t.schema, ctx);
    return out.ok() ? std::string("ok") : out.status().message();
  };
  EXPECT_EQ(open({.model = kScalerLogReg, .target = "is_phishin"}),
            "option 'target': unknown field 'is_phishin' (did you mean 'is_phishing'?)");
  EXPECT_EQ(open({.model = "linear_model.LinearRegression", .target = "is_phishing"}), "ok");
  EXPECT_EQ(open({.model = kScalerLogReg, .target = "is_phishing", .exclude = {"idd"}}),
            "option 'exclude': unknown field 'idd' (did you mean 'id'?)");
  EXPECT_EQ(open({.model = kScalerLogReg, .target = "is_phishing", .features = {"is_phishing"}}),
            "option 'features': 'is_phishing' is the target, not a feature");
  auto s = std::make_shared<const Schema>(
      Schema::create({{"x", Type::kDouble}, {"y", Type::kString}, {"prediction", Type::kInt}})
          .value());
  auto stage =
      LearnerStage::create({.model = "linear_model.LinearRegression", .target = "y"}).value();
  auto out = stage->open(s, ctx);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "option 'target': 'y' is string but linear_model.LinearRegression is a regressor: the "
            "target must be a number (or use a classifier)");
  auto clash = LearnerStage::create({.model = kScalerLogReg, .target = "y"}).value();
  out = clash->open(s, ctx);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().message(),
            "option 'output_prefix': the output field 'prediction' is already an input field; set "
            "output_prefix (e.g. \"model_\")");
}

}  // namespace
}  // namespace rivulet::pipeline
