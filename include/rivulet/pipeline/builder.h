#pragma once
/// Pipelines from C++: the same parts as a pipeline file, assembled with a fluent builder.
/// Each call adds a part; the first error (a bad option, a missing source) is kept and returned
/// by build(), which also opens every step against its input schema as `rivulet run` does.
/// ```cpp example
/// using namespace rivulet;
/// auto out = std::tmpfile();
/// auto engine = pipeline::PipelineBuilder()
///     .source(io::GeneratorSource::create({.kind = "sea", .count = 1000, .seed = 7}).value(),
///             std::make_shared<const Schema>(*Schema::create({{"x0", Type::kDouble},
///                                                            {"x1", Type::kDouble},
///                                                            {"x2", Type::kDouble},
///                                                            {"y", Type::kBool}})))
///     .filter("x0 > 1")
///     .evaluate({.model = "tree.HoeffdingTreeClassifier", .target = "y"})
///     .sink(io::ConsoleSink::create({.file = out}).value())
///     .build();
/// ASSERT_TRUE(engine.ok()) << engine.status().to_string();
/// ASSERT_TRUE((*engine)->run().ok());
/// EXPECT_TRUE((*engine)->stats().reconciles());
/// EXPECT_EQ((*engine)->stats().records_in, 1000u);
/// std::fclose(out);
/// ```
/// Windows, joins, aggregates and every other step go in with step(): here the bids of Nexmark
/// joined with their auction, whichever comes first, and counted per auction category.
/// ```cpp example
/// using namespace rivulet;
/// std::vector<std::unique_ptr<stream::Operator>> bids, auctions;
/// bids.push_back(stream::FilterOperator::create({"kind = 'bid'"}).value());
/// auctions.push_back(stream::FilterOperator::create({"kind = 'auction'"}).value());
/// auto out = std::tmpfile();
/// auto engine = pipeline::PipelineBuilder()
///     .source(io::GeneratorSource::create({.kind = "nexmark", .count = 5000}).value(),
///             std::make_shared<const Schema>(*Schema::create(
///                 {{"kind", Type::kString}, {"id", Type::kInt}, {"category", Type::kInt},
///                  {"auction", Type::kInt}})))
///     .step(stream::JoinOperator::create({.type = stream::JoinType::kRegular,
///                                         .left = std::move(bids),
///                                         .right = std::move(auctions),
///                                         .left_key = {{"auction", {}}},
///                                         .right_key = {{"id", {}}}}))
///     .step(stream::AggregateOperator::create({.group_by = {{"right_category", {}}},
///                                              .aggregates = {{"bids", "COUNT(*)", {}}}}))
///     .sink(io::ConsoleSink::create({.file = out}).value())
///     .build();
/// ASSERT_TRUE(engine.ok()) << engine.status().to_string();
/// ASSERT_TRUE((*engine)->run().ok());
/// EXPECT_TRUE((*engine)->stats().reconciles());
/// EXPECT_GT((*engine)->stats().records_out, 1000u);  // one row per joined bid
/// std::fclose(out);
/// ```

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rivulet/io/codec.h"
#include "rivulet/io/sink.h"
#include "rivulet/io/source.h"
#include "rivulet/pipeline/engine.h"
#include "rivulet/pipeline/learner_stage.h"
#include "rivulet/stream/group.h"
#include "rivulet/stream/join.h"
#include "rivulet/stream/operators.h"
#include "rivulet/stream/window.h"

namespace rivulet::pipeline {

class PipelineBuilder {
 public:
  /// The input: lines from `source`, decoded into `schema` (JSON by default).
  PipelineBuilder& source(Result<std::unique_ptr<io::Source>> source, stream::SchemaPtr schema,
                          io::DecoderOptions decoding = {});
  /// Labels from a source of their own, for the learner step given `labels`.
  PipelineBuilder& labels(Result<std::unique_ptr<io::Source>> source, stream::SchemaPtr schema,
                          io::DecoderOptions decoding = {});
  /// Labels that are rows of the input itself: those for which `predicate` is TRUE.
  PipelineBuilder& labels_where(std::string predicate);

  PipelineBuilder& filter(std::string condition);
  /// Fields computed in order: {name, expression}.
  PipelineBuilder& map(std::vector<std::pair<std::string, std::string>> fields);
  /// The listed fields, in order; {new_name, old_name} renames.
  PipelineBuilder& select(std::vector<std::pair<std::string, std::string>> fields);
  PipelineBuilder& drop(std::vector<std::string> fields);
  PipelineBuilder& key_by(std::string key, std::string as = "key");
  PipelineBuilder& flat_map(stream::FlatMapOperator::Options options);
  PipelineBuilder& validate(std::vector<stream::ValidationRule> rules);
  /// A learner step (its mode says evaluate, predict or learn). With labels set (by `labels`
  /// or `labels_where`), give it `labels = "labels"` and an `id`.
  PipelineBuilder& evaluate(LearnerStage::Options options);
  /// Any operator.
  PipelineBuilder& step(Result<std::unique_ptr<stream::Operator>> op);
  /// Any operator as its create() returns it: JoinOperator::create(...), WindowOperator::...
  template <class T>
  PipelineBuilder& step(Result<std::unique_ptr<T>> op) {
    if (!op.ok()) return step(Result<std::unique_ptr<stream::Operator>>(op.status()));
    return step(Result<std::unique_ptr<stream::Operator>>(
        std::unique_ptr<stream::Operator>(std::move(*op))));
  }
  /// Names the last step (in errors and stats).
  PipelineBuilder& named(std::string name);

  /// A sink of stream `stream` ("output", or a side output such as "metrics").
  PipelineBuilder& sink(Result<std::unique_ptr<io::Sink>> sink, std::string stream = "output");
  PipelineBuilder& dead_letters(Result<std::unique_ptr<io::DeadLetterSink>> sink);

  PipelineBuilder& parallelism(size_t n);
  PipelineBuilder& batch_size(size_t n);
  PipelineBuilder& batch_delay(std::chrono::microseconds delay);
  /// Every other engine option.
  EngineOptions& options() { return options_; }

  /// The engine, every step opened; or the first error met.
  Result<std::unique_ptr<Engine>> build();

 private:
  template <class T>
  PipelineBuilder& add_step(Result<std::unique_ptr<T>> op);
  Plan plan_;
  EngineOptions options_;
  Status error_;
  std::optional<size_t> labels_step_;
};

}  // namespace rivulet::pipeline
