#include "rivulet/pipeline/builder.h"

#include <fmt/format.h>

namespace rivulet::pipeline {
namespace {

Result<InputPlan> make_input(std::string name, Result<std::unique_ptr<io::Source>> source,
                             stream::SchemaPtr schema, const io::DecoderOptions& decoding) {
  if (!source.ok()) return source.status();
  if (schema == nullptr) return Status::invalid_argument(fmt::format("{}: no schema", name));
  auto decoder = io::Decoder::create(schema, decoding);
  if (!decoder.ok()) return decoder.status();
  InputPlan in;
  in.name = std::move(name);
  in.source = std::move(*source);
  in.decoder = std::move(*decoder);
  in.schema = std::move(schema);
  return in;
}

}  // namespace

PipelineBuilder& PipelineBuilder::source(Result<std::unique_ptr<io::Source>> source,
                                         stream::SchemaPtr schema, io::DecoderOptions decoding) {
  if (!error_.ok()) return *this;
  auto in = make_input("source", std::move(source), std::move(schema), decoding);
  if (!in.ok()) {
    error_ = in.status();
  } else {
    plan_.input = std::move(*in);
  }
  return *this;
}

PipelineBuilder& PipelineBuilder::labels(Result<std::unique_ptr<io::Source>> source,
                                         stream::SchemaPtr schema, io::DecoderOptions decoding) {
  if (!error_.ok()) return *this;
  auto in = make_input("labels", std::move(source), std::move(schema), decoding);
  if (!in.ok()) {
    error_ = in.status();
  } else {
    plan_.labels = std::move(*in);
  }
  return *this;
}

PipelineBuilder& PipelineBuilder::labels_where(std::string predicate) {
  plan_.labels_where = std::move(predicate);
  return *this;
}

template <class T>
PipelineBuilder& PipelineBuilder::add_step(Result<std::unique_ptr<T>> op) {
  if (!error_.ok()) return *this;
  if (!op.ok()) {
    error_ = Status(op.status().code(),
                    fmt::format("step {}: {}", plan_.steps.size() + 1, op.status().message()));
    return *this;
  }
  plan_.steps.push_back(std::move(*op));
  return *this;
}

PipelineBuilder& PipelineBuilder::filter(std::string condition) {
  return add_step(stream::FilterOperator::create({.condition = std::move(condition)}));
}

PipelineBuilder& PipelineBuilder::map(std::vector<std::pair<std::string, std::string>> fields) {
  stream::MapOperator::Options o;
  for (auto& [name, expr] : fields) o.fields.push_back({name, expr, {}});
  return add_step(stream::MapOperator::create(std::move(o)));
}

PipelineBuilder& PipelineBuilder::select(std::vector<std::pair<std::string, std::string>> fields) {
  stream::SelectOperator::Options o;
  for (auto& [name, from] : fields) o.fields.push_back({name, from, {}});
  return add_step(stream::SelectOperator::create(std::move(o)));
}

PipelineBuilder& PipelineBuilder::drop(std::vector<std::string> fields) {
  stream::DropOperator::Options o;
  for (auto& f : fields) o.fields.push_back({f, {}});
  return add_step(stream::DropOperator::create(std::move(o)));
}

PipelineBuilder& PipelineBuilder::key_by(std::string key, std::string as) {
  return add_step(stream::KeyByOperator::create({.key = std::move(key), .as = std::move(as)}));
}

PipelineBuilder& PipelineBuilder::flat_map(stream::FlatMapOperator::Options options) {
  return add_step(stream::FlatMapOperator::create(std::move(options)));
}

PipelineBuilder& PipelineBuilder::validate(std::vector<stream::ValidationRule> rules) {
  return add_step(stream::ValidateOperator::create({.rules = std::move(rules)}));
}

PipelineBuilder& PipelineBuilder::evaluate(LearnerStage::Options options) {
  if (!options.labels.empty()) labels_step_ = plan_.steps.size();
  return add_step(LearnerStage::create(std::move(options)));
}

PipelineBuilder& PipelineBuilder::step(Result<std::unique_ptr<stream::Operator>> op) {
  return add_step(std::move(op));
}

PipelineBuilder& PipelineBuilder::named(std::string name) {
  if (error_.ok() && !plan_.steps.empty()) plan_.steps.back()->set_name(std::move(name));
  return *this;
}

PipelineBuilder& PipelineBuilder::sink(Result<std::unique_ptr<io::Sink>> sink, std::string stream) {
  if (!error_.ok()) return *this;
  if (!sink.ok()) {
    error_ = sink.status();
    return *this;
  }
  plan_.sinks.push_back({std::move(stream), std::move(*sink)});
  return *this;
}

PipelineBuilder& PipelineBuilder::dead_letters(Result<std::unique_ptr<io::DeadLetterSink>> sink) {
  if (!error_.ok()) return *this;
  if (!sink.ok()) {
    error_ = sink.status();
    return *this;
  }
  plan_.dead_letters = std::move(*sink);
  return *this;
}

PipelineBuilder& PipelineBuilder::parallelism(size_t n) {
  options_.parallelism = n;
  return *this;
}
PipelineBuilder& PipelineBuilder::batch_size(size_t n) {
  options_.batch_size = n;
  return *this;
}
PipelineBuilder& PipelineBuilder::batch_delay(std::chrono::microseconds delay) {
  options_.batch_delay = delay;
  return *this;
}

Result<std::unique_ptr<Engine>> PipelineBuilder::build() {
  if (!error_.ok()) return error_;
  if (!plan_.input.source) return Status::invalid_argument("the pipeline has no source");
  if ((plan_.labels || !plan_.labels_where.empty())) {
    if (!labels_step_) {
      return Status::invalid_argument(
          "labels are given but no learner takes them (set its labels and id options)");
    }
    plan_.labels_step = *labels_step_;
  }
  return Engine::create(std::move(plan_), std::move(options_));
}

}  // namespace rivulet::pipeline
