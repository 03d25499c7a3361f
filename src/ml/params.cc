#include "rivulet/ml/params.h"

#include <fmt/format.h>

#include <cmath>
#include <functional>

#include "rivulet/ml/registry.h"

namespace rivulet::ml {

Params::Params(const SpecCall& call, std::optional<uint64_t> default_seed)
    : call_(&call), default_seed_(default_seed), used_(call.args.size(), false) {}

Params Params::describe_mode() { return Params(); }

Status Params::arg_error(const SpecArg& arg, std::string_view what) const {
  return Status::invalid_argument(
      fmt::format("model spec, column {}: {}: {}", arg.column, call_->name, what));
}

const SpecArg* Params::take(std::string_view name, std::string_view type, std::string default_text,
                            std::string_view help) {
  infos_.push_back({std::string(name), std::string(type), std::move(default_text), std::string(help)});
  if (call_ == nullptr) return nullptr;
  for (size_t i = 0; i < call_->args.size(); ++i) {
    if (call_->args[i].name == name) {
      used_[i] = true;
      return &call_->args[i];
    }
  }
  // Positional arguments bind in the order parameters are asked for.
  while (next_positional_ < call_->args.size() && !call_->args[next_positional_].name.empty()) {
    ++next_positional_;
  }
  if (next_positional_ < call_->args.size() && call_->args[next_positional_].name.empty() &&
      next_positional_ == infos_.size() - 1) {
    used_[next_positional_] = true;
    return &call_->args[next_positional_++];
  }
  return nullptr;
}

void Params::fail(Status status) {
  if (error_.ok() && !status.ok()) error_ = std::move(status);
}

double Params::number(std::string_view name, double def, std::string_view help) {
  const SpecArg* arg = take(name, "float", fmt::format("{}", def), help);
  if (arg == nullptr) return def;
  if (arg->value.kind != SpecValue::Kind::kNumber) {
    fail(arg_error(*arg, fmt::format("'{}' must be a number, got {}", name, arg->value.text)));
    return def;
  }
  return arg->value.number;
}

int64_t Params::integer(std::string_view name, int64_t def, std::string_view help) {
  const SpecArg* arg = take(name, "int", fmt::format("{}", def), help);
  if (arg == nullptr) return def;
  const double v = arg->value.number;
  if (arg->value.kind != SpecValue::Kind::kNumber || v != std::floor(v) || std::abs(v) > 9.0e15) {
    fail(arg_error(*arg, fmt::format("'{}' must be an integer, got {}", name, arg->value.text)));
    return def;
  }
  return static_cast<int64_t>(v);
}

std::optional<int64_t> Params::optional_integer(std::string_view name, std::string_view help) {
  const SpecArg* arg = take(name, "int|None", "None", help);
  if (arg == nullptr || arg->value.kind == SpecValue::Kind::kNone) return std::nullopt;
  const double v = arg->value.number;
  if (arg->value.kind != SpecValue::Kind::kNumber || v != std::floor(v) || std::abs(v) > 9.0e15) {
    fail(arg_error(*arg, fmt::format("'{}' must be an integer or None, got {}", name, arg->value.text)));
    return std::nullopt;
  }
  return static_cast<int64_t>(v);
}

bool Params::boolean(std::string_view name, bool def, std::string_view help) {
  const SpecArg* arg = take(name, "bool", def ? "True" : "False", help);
  if (arg == nullptr) return def;
  if (arg->value.kind != SpecValue::Kind::kBool) {
    fail(arg_error(*arg, fmt::format("'{}' must be True or False, got {}", name, arg->value.text)));
    return def;
  }
  return arg->value.boolean;
}

std::string Params::string(std::string_view name, std::string_view def, std::string_view help) {
  const SpecArg* arg = take(name, "str", fmt::format("'{}'", def), help);
  if (arg == nullptr) return std::string(def);
  if (arg->value.kind == SpecValue::Kind::kNone) return "";
  if (arg->value.kind != SpecValue::Kind::kString) {
    fail(arg_error(*arg, fmt::format("'{}' must be a quoted string, got {}", name, arg->value.text)));
    return std::string(def);
  }
  return arg->value.text;
}

uint64_t Params::seed(uint64_t def, std::string_view help) {
  const SpecArg* arg = take("seed", "int", default_seed_ ? fmt::format("{}", *default_seed_)
                                                         : fmt::format("{}", def), help);
  const uint64_t fallback = default_seed_.value_or(def);
  if (arg == nullptr || arg->value.kind == SpecValue::Kind::kNone) return fallback;
  const double v = arg->value.number;
  if (arg->value.kind != SpecValue::Kind::kNumber || v != std::floor(v) || v < 0) {
    fail(arg_error(*arg, fmt::format("'seed' must be a non-negative integer, got {}", arg->value.text)));
    return fallback;
  }
  return static_cast<uint64_t>(v);
}

namespace {
template <typename T, typename Make>
std::unique_ptr<T> nested(Params& p, const SpecArg* arg, std::string_view def, Make make,
                          const std::function<Status(const SpecArg&, std::string_view)>& error) {
  SpecCall parsed;
  const SpecCall* call = nullptr;
  if (arg != nullptr && arg->value.kind == SpecValue::Kind::kCall) {
    call = arg->value.call.get();
  } else if (arg != nullptr) {
    p.fail(error(*arg, fmt::format("expected a call such as {}, got {}", def, arg->value.text)));
  }
  if (call == nullptr) {
    auto d = parse_call(def);
    if (!d.ok()) {
      p.fail(d.status());
      return nullptr;
    }
    parsed = std::move(*d);
    call = &parsed;
  }
  auto made = make(*call);
  if (!made.ok()) {
    p.fail(made.status());
    return nullptr;
  }
  return std::move(made).value();
}
}  // namespace

std::unique_ptr<Optimizer> Params::optimizer(std::string_view name, std::string_view def,
                                             std::string_view help) {
  const SpecArg* arg = take(name, "optimizer", std::string(def), help);
  auto err = [this](const SpecArg& a, std::string_view w) { return arg_error(a, w); };
  if (arg != nullptr && arg->value.kind == SpecValue::Kind::kNumber) {
    // A bare number is the learning rate of plain SGD, as River accepts optim.SGD(lr).
    SpecCall sgd{"optim.SGD", {SpecArg{"", arg->value, arg->column}}, arg->column};
    auto made = make_optimizer(sgd);
    if (!made.ok()) {
      fail(made.status());
      return nullptr;
    }
    return std::move(made).value();
  }
  return nested<Optimizer>(*this, arg, def, [](const SpecCall& c) { return make_optimizer(c); }, err);
}

std::unique_ptr<Metric> Params::metric(std::string_view name, std::string_view def, std::string_view help) {
  const SpecArg* arg = take(name, "metric", std::string(def), help);
  auto err = [this](const SpecArg& a, std::string_view w) { return arg_error(a, w); };
  return nested<Metric>(*this, arg, def,
                        [](const SpecCall& c) { return make_metric(c); }, err);
}

std::unique_ptr<Estimator> Params::estimator(std::string_view name, std::string_view def,
                                             std::string_view help) {
  const SpecArg* arg = take(name, "estimator", std::string(def), help);
  auto err = [this](const SpecArg& a, std::string_view w) { return arg_error(a, w); };
  auto seed = default_seed_;
  return nested<Estimator>(*this, arg, def,
                           [seed](const SpecCall& c) { return make_estimator(c, seed); }, err);
}

EstimatorMaker Params::estimator_maker(std::string_view name, std::string_view def,
                                       std::string_view help) {
  const SpecArg* arg = take(name, "estimator", std::string(def), help);
  SpecCall call;
  if (arg != nullptr && arg->value.kind == SpecValue::Kind::kCall) {
    call = *arg->value.call;
  } else if (arg != nullptr) {
    fail(arg_error(*arg, fmt::format("expected a call such as {}, got {}", def, arg->value.text)));
    return {};
  } else {
    auto d = parse_call(def);
    if (!d.ok()) {
      fail(d.status());
      return {};
    }
    call = std::move(*d);
  }
  auto shared = std::make_shared<const SpecCall>(std::move(call));
  EstimatorMaker maker = [shared](std::optional<uint64_t> seed) { return make_estimator(*shared, seed); };
  // Build one now so that a bad base learner is reported where the spec names it.
  auto probe = maker(default_seed_);
  if (!probe.ok()) {
    fail(probe.status());
    return {};
  }
  return maker;
}

std::unique_ptr<DriftDetector> Params::drift_detector(std::string_view name, std::string_view def,
                                                      std::string_view help) {
  const SpecArg* arg = take(name, "drift detector", def.empty() ? "None" : std::string(def), help);
  if (arg != nullptr && arg->value.kind == SpecValue::Kind::kNone) return nullptr;
  if (arg == nullptr && def.empty()) return nullptr;
  auto err = [this](const SpecArg& a, std::string_view w) { return arg_error(a, w); };
  return nested<DriftDetector>(*this, arg, def, [](const SpecCall& c) { return make_drift_detector(c); }, err);
}

const SpecValue* Params::value(std::string_view name, std::string_view type, std::string_view def,
                               std::string_view help) {
  const SpecArg* arg = take(name, type, std::string(def), help);
  return arg == nullptr ? nullptr : &arg->value;
}

Status Params::finish() const {
  if (!error_.ok()) return error_;
  if (call_ == nullptr) return Status();
  for (size_t i = 0; i < used_.size(); ++i) {
    if (used_[i]) continue;
    const auto& arg = call_->args[i];
    std::string valid;
    for (const auto& info : infos_) valid += (valid.empty() ? "" : ", ") + info.name;
    if (valid.empty()) valid = "none";
    if (arg.name.empty()) {
      return arg_error(arg, fmt::format("too many positional arguments (parameters: {})", valid));
    }
    return arg_error(arg, fmt::format("unknown parameter '{}' (valid: {})", arg.name, valid));
  }
  return Status();
}

}  // namespace rivulet::ml
