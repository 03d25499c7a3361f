#include "rivulet/pipeline/model_export.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "rivulet/ml/model.h"
#include "support/learner_checkpoints.h"

namespace rivulet::pipeline {
namespace {

using learner_checkpoints::Row;
using learner_checkpoints::ScratchDir;
using learner_checkpoints::Stage;

constexpr const char* kScalerLogReg =
    "preprocessing.StandardScaler | linear_model.LogisticRegression";
constexpr const char* kTree = "tree.HoeffdingTreeClassifier(grace_period=50)";

uint64_t bits(double d) {
  uint64_t b = 0;
  std::memcpy(&b, &d, sizeof b);
  return b;
}

Features features(ml::Model& model, const Row& row) {
  Features x;
  x.push(model.space().intern("x1"), row.x1);
  x.push(model.space().intern("x2"), row.x2);
  return x;
}

// The exported model predicts what the stage's model predicts: the same class, the same
// probabilities to the bit.
void expect_same_predictions(const std::string& exported, const ml::Model& stage_model,
                             const std::vector<Row>& rows) {
  auto a = ml::Model::load_bytes(exported);
  ASSERT_TRUE(a.ok()) << a.status().message();
  auto b = ml::Model::load_bytes(stage_model.save_bytes()).value();
  std::vector<double> pa, pb;
  for (const Row& row : rows) {
    const auto ca = a->predict(features(*a, row), &pa);
    const auto cb = b.predict(features(b, row), &pb);
    ASSERT_EQ(ca.has_value(), cb.has_value());
    ASSERT_TRUE(ca.has_value());
    EXPECT_EQ(a->labels().name(*ca), b.labels().name(*cb));
    ASSERT_EQ(pa.size(), pb.size());
    for (size_t i = 0; i < pa.size(); ++i) EXPECT_EQ(bits(pa[i]), bits(pb[i]));
  }
}

// The stage's own output for `row`, fed after the snapshot, is the exported model's prediction.
void expect_stage_agrees(Stage& stage, const std::string& exported, const Row& row) {
  auto model = ml::Model::load_bytes(exported).value();
  std::vector<double> proba;
  const auto c = model.predict(features(model, row), &proba);
  ASSERT_TRUE(c.has_value());
  const stream::Batch out = stage.feed({row});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out.get(0, 4), Value::of_string(model.labels().name(*c)));
  EXPECT_EQ(bits(out.get(0, 5).as_double()), bits(proba[*c]));
}

TEST(ModelExportTest, GlobalModelIsTheStagesModel) {
  Stage stage(learner_checkpoints::options(kScalerLogReg, /*per_key=*/false));
  stage.feed(learner_checkpoints::rows(500, 1));
  const ScratchDir dir("model_export_test_global");
  auto store = checkpoint::CheckpointStore::open({.dir = dir.path}).value();
  ASSERT_TRUE(store
                  ->write(learner_checkpoints::pipeline_checkpoint("evaluate", "fraud model",
                                                                   {stage.snapshot()}, false))
                  .ok());
  auto cp = store->load_latest().value();
  ASSERT_TRUE(cp.has_value());

  auto exported = export_model(*cp, {.step = "fraud model"});
  ASSERT_TRUE(exported.ok()) << exported.status().message();
  EXPECT_EQ(exported->bytes, stage.op->model()->save_bytes());
  EXPECT_EQ(exported->spec, kScalerLogReg);
  EXPECT_EQ(exported->kind, "evaluate");
  EXPECT_EQ(exported->step, 3u);
  EXPECT_EQ(exported->part, "step-3");
  EXPECT_EQ(exported->key, "");
  EXPECT_EQ(exported->records, 500u);
  EXPECT_EQ(exported->learned, 500u);
  const auto probe = learner_checkpoints::rows(100, 2);
  expect_same_predictions(exported->bytes, *stage.op->model(), probe);
  expect_stage_agrees(stage, exported->bytes, probe[0]);
}

TEST(ModelExportTest, PerKeyModelFromThePartitionThatHoldsIt) {
  // Two partitions of a per-key tree, as after a key_by on device with parallelism 2, each with
  // a drift detector and metrics per key.
  auto options = learner_checkpoints::options(kTree, /*per_key=*/true);
  options.metrics = {"Accuracy", "Rolling(Accuracy, 20)"};
  options.drift_detector = "drift.ADWIN";
  Stage p0(options), p1(options);
  std::vector<Row> rows0, rows1;
  for (const Row& r : learner_checkpoints::rows(1000, 3)) {
    (r.device == "d1" || r.device == "d3" ? rows1 : rows0).push_back(r);
  }
  p0.feed(rows0);
  p1.feed(rows1);
  const auto cp = learner_checkpoints::pipeline_checkpoint("evaluate", "per device",
                                                           {p0.snapshot(), p1.snapshot()}, true);

  for (const char* key : {"d0", "d3"}) {
    Stage& holder = std::string(key) == "d3" ? p1 : p0;
    auto exported = export_model(cp, {.step = "per device", .key = key});
    ASSERT_TRUE(exported.ok()) << exported.status().message();
    EXPECT_EQ(exported->bytes, holder.op->model(key)->save_bytes()) << key;
    EXPECT_EQ(exported->part, std::string(key) == "d3" ? "step-3.p1" : "step-3.p0");
    EXPECT_EQ(exported->key, key);
    EXPECT_EQ(exported->records, 200u);
    expect_same_predictions(exported->bytes, *holder.op->model(key),
                            learner_checkpoints::rows(100, 4));
    Row probe = learner_checkpoints::rows(1, 5)[0];
    probe.device = key;
    expect_stage_agrees(holder, exported->bytes, probe);
  }
}

TEST(ModelExportTest, ErrorsNameWhatTheCheckpointHolds) {
  // 12 keys over two partitions.
  auto options = learner_checkpoints::options(kScalerLogReg, /*per_key=*/true);
  options.mode = LearnerMode::kLearn;
  Stage p0(options), p1(options);
  std::vector<Row> rows = learner_checkpoints::rows(60, 6);
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].device = fmt::format("k{:02}", i % 12);
    (i % 2 == 0 ? p0 : p1).feed({rows[i]});
  }
  auto cp = learner_checkpoints::pipeline_checkpoint("learn", "per device",
                                                     {p0.snapshot(), p1.snapshot()}, true);
  cp.id = 7;

  auto r = export_model(cp, {.step = "per device", .key = "k12"});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(),
            "chk-000007: step 'per device' has no model of key 'k12' (keys: 'k00', 'k01', 'k02', "
            "'k03', 'k04', 'k05', 'k06', 'k07', 'k08', 'k09' and 2 more)");
  r = export_model(cp, {.step = "per device", .key = "k11"});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->part, "step-3.p1");
  EXPECT_EQ(r->records, 5u);
  r = export_model(cp, {.step = "per device"});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("is per_key (one model per key): give the key (keys: "),
            std::string::npos)
      << r.status().message();
  r = export_model(cp, {.step = "by device"});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "chk-000007: step 'by device' is a key_by step, not a learner (evaluate, predict or "
            "learn; learner steps: 'per device', 'shadow')");
  r = export_model(cp, {.step = "fraud"});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(),
            "chk-000007: no step 'fraud' in pipeline 'export-test' (learner steps: 'per device', "
            "'shadow')");
  r = export_model(cp, {.step = "shadow"});
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(),
            "chk-000007: no state for step 4 ('shadow'): no part step-4 or step-4.p<k>");

  // The key of a global model; a part of another kind's state; a truncated part.
  Stage global(learner_checkpoints::options(kScalerLogReg, /*per_key=*/false));
  global.feed(learner_checkpoints::rows(50, 6));
  cp = learner_checkpoints::pipeline_checkpoint("evaluate", "global", {global.snapshot()}, false);
  r = export_model(cp, {.step = "global", .key = "d1"});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("has one global model (it is not per_key)"),
            std::string::npos);
  cp.meta["step-3"] = "predict global";
  r = export_model(cp, {.step = "global"});
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status().message(),
            "chk-000000: part step-3 holds the state of a step of kind evaluate, but step 3 "
            "('global') is of kind predict");
  cp.meta["step-3"] = "evaluate global";
  std::string& part = cp.parts["step-3"];
  part.resize(part.size() - 10);
  r = export_model(cp, {.step = "global"});
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(r.status().message().find("chk-000000: part step-3 (step 'global'): learner state: "),
            std::string::npos)
      << r.status().message();
  cp.meta["step-3"] = "evaluate";
  r = export_model(cp, {.step = "global"});
  EXPECT_EQ(r.status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(r.status().message(), "chk-000000: meta step-3 is 'evaluate', not '<kind> <name>'");
}

TEST(ModelExportTest, CorruptCheckpointIsPassedOverForThePreviousOne) {
  Stage stage(learner_checkpoints::options(kScalerLogReg, /*per_key=*/false));
  const ScratchDir dir("model_export_test_corrupt");
  auto store = checkpoint::CheckpointStore::open({.dir = dir.path}).value();
  stage.feed(learner_checkpoints::rows(200, 7));
  const std::string first_model = stage.op->model()->save_bytes();
  ASSERT_TRUE(store
                  ->write(learner_checkpoints::pipeline_checkpoint("evaluate", "m",
                                                                   {stage.snapshot()}, false))
                  .ok());
  stage.feed(learner_checkpoints::rows(200, 8));
  ASSERT_TRUE(store
                  ->write(learner_checkpoints::pipeline_checkpoint("evaluate", "m",
                                                                   {stage.snapshot()}, false))
                  .ok());
  // A bit flipped in the newest checkpoint's learner part.
  const std::string path = store->dir() + "/chk-000002/step-3.part";
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x10);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  auto latest = store->load_latest().value();
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->id, 1u);
  EXPECT_EQ(store->skipped(),
            std::vector<std::string>{"chk-000002: step-3.part fails its checksum"});
  auto exported = export_model(*latest, {.step = "m"});
  ASSERT_TRUE(exported.ok()) << exported.status().message();
  EXPECT_EQ(exported->bytes, first_model);
  EXPECT_EQ(exported->learned, 200u);
  EXPECT_EQ(store->load(2).status().message(), "chk-000002: step-3.part fails its checksum");
}

}  // namespace
}  // namespace rivulet::pipeline
