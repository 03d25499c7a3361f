#pragma once
// Learner stages fed synthetic rows, and checkpoints written from their snapshots as the engine
// writes a pipeline's (docs/checkpoints.md): shared by the tests of model export
// (tests/pipeline/model_export_test.cc) and of `rivulet checkpoint`
// (tests/e2e/checkpoint_cli_test.cc).

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "rivulet/checkpoint/store.h"
#include "rivulet/core/state.h"
#include "rivulet/pipeline/learner_stage.h"
#include "rivulet/stream/batch.h"

namespace rivulet::learner_checkpoints {

// A directory of its own for one test (the process id in its name), removed with everything in
// it when the test ends.
struct ScratchDir {
  explicit ScratchDir(const std::string& name)
      : path((std::filesystem::temp_directory_path() /
              ("rivulet_" + name + "_" + std::to_string(::getpid())))
                 .string()) {
    std::filesystem::remove_all(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string path;
};

// One event: two features, the key `device` ("d0" ... "d4") and the label y ("pos" when
// x1 + x2 > 1, flipped on one row in ten).
struct Row {
  double x1 = 0, x2 = 0;
  std::string device;
  std::string y;
};

inline stream::SchemaPtr schema() {
  return std::make_shared<const Schema>(Schema::create({{"x1", Type::kDouble},
                                                        {"x2", Type::kDouble},
                                                        {"device", Type::kString},
                                                        {"y", Type::kString}})
                                            .value());
}

// `n` rows from a fixed generator (the same rows for the same seed on every machine).
inline std::vector<Row> rows(size_t n, uint64_t seed) {
  uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;
  auto next = [&s] {  // splitmix64, as a double in [0, 1)
    s += 0x9e3779b97f4a7c15ULL;
    uint64_t z = s;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
  };
  std::vector<Row> out;
  for (size_t i = 0; i < n; ++i) {
    Row r;
    r.x1 = next();
    r.x2 = next();
    r.device = "d" + std::to_string(i % 5);
    const bool pos = (r.x1 + r.x2 > 1) != (i % 10 == 7);
    r.y = pos ? "pos" : "neg";
    out.push_back(std::move(r));
  }
  return out;
}

// A learner stage opened on schema(), with its contexts.
struct Stage {
  std::unique_ptr<pipeline::LearnerStage> op;
  stream::OpenContext open;
  stream::CollectingDeadLetters dead;
  std::unique_ptr<stream::OperatorContext> ctx;

  explicit Stage(pipeline::LearnerStage::Options options) {
    auto made = pipeline::LearnerStage::create(std::move(options));
    EXPECT_TRUE(made.ok()) << made.status().message();
    op = std::move(made).value();
    op->set_name("learner");
    auto out = op->open(schema(), open);
    EXPECT_TRUE(out.ok()) << out.status().message();
    ctx = std::make_unique<stream::OperatorContext>(dead);
  }

  // Processes `rows` as one batch; returns the output batch (prediction, probability, ...).
  stream::Batch feed(const std::vector<Row>& rows) {
    stream::Batch batch(schema());
    for (const Row& row : rows) {
      const size_t r = batch.add_row();
      batch.set(r, 0, Value::of_double(row.x1));
      batch.set(r, 1, Value::of_double(row.x2));
      batch.set_string(r, 2, row.device);
      batch.set_string(r, 3, row.y);
    }
    const Status s = op->process(batch, *ctx);
    EXPECT_TRUE(s.ok()) << s.message();
    return batch;
  }

  // The bytes of Operator::snapshot, as a checkpoint's part holds them.
  std::string snapshot() const {
    std::ostringstream bytes(std::ios::binary);
    {
      StateWriter out(bytes);
      op->snapshot(out);
    }
    return bytes.str();
  }
};

// The options of the learner stages of these tests: features x1 and x2, target y.
inline pipeline::LearnerStage::Options options(std::string model, bool per_key) {
  pipeline::LearnerStage::Options o;
  o.model = std::move(model);
  o.target = "y";
  o.features = {"x1", "x2"};
  o.per_key = per_key;
  if (per_key) o.key_field = "device";
  return o;
}

// The checkpoint of a pipeline "export-test" whose third step, `learner_name`, is a learner of
// kind `kind`: its state in `step-3` (one part) or in `step-3.p<k>` (one per partition).
inline checkpoint::Checkpoint pipeline_checkpoint(const std::string& kind,
                                                  const std::string& learner_name,
                                                  const std::vector<std::string>& partitions,
                                                  bool partitioned) {
  checkpoint::Checkpoint cp;
  cp.meta["pipeline"] = "export-test";
  cp.meta["parallelism"] = std::to_string(partitioned ? partitions.size() : 1);
  cp.meta["step-1"] = "filter positive amounts";
  cp.meta["step-2"] = "key_by by device";
  cp.meta["step-3"] = kind + " " + learner_name;
  cp.meta["step-4"] = "learn shadow";
  cp.parts["source"] = "offset 42";
  cp.parts["step-1"] = "";
  cp.parts["step-2"] = "";
  if (partitioned) {
    for (size_t k = 0; k < partitions.size(); ++k) {
      cp.parts["step-3.p" + std::to_string(k)] = partitions[k];
    }
  } else {
    cp.parts["step-3"] = partitions.at(0);
  }
  return cp;
}

}  // namespace rivulet::learner_checkpoints
