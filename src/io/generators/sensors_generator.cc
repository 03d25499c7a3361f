#include "rivulet/io/generators/sensors_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "io/generators/json_line.h"
#include "rivulet/io/generators/generator_params.h"

namespace rivulet::io {
namespace {

constexpr double kHourMs = 3600.0 * 1000.0;
constexpr double kHorizonMs = 24.0 * kHourMs;

double round_to(double v, double scale) { return std::round(v * scale) / scale; }

}  // namespace

Result<std::unique_ptr<SensorsGenerator>> SensorsGenerator::create(const Options& o) {
  auto bad = [](std::string what) { return Status::invalid_argument("sensors: " + what); };
  if (o.n_machines < 1 || o.n_machines > 1000000) {
    return bad(fmt::format("n_machines must be in [1, 10^6] (got {})", o.n_machines));
  }
  if (!(o.interval > 0.0) || !std::isfinite(o.interval)) {
    return bad(fmt::format("interval must be > 0 seconds (got {})", o.interval));
  }
  if (!(o.mean_life > 0.0) || !std::isfinite(o.mean_life)) {
    return bad(fmt::format("mean_life must be > 0 hours (got {})", o.mean_life));
  }
  if (!(o.repair_time >= 0.0) || !std::isfinite(o.repair_time)) {
    return bad(fmt::format("repair_time must be >= 0 hours (got {})", o.repair_time));
  }
  if (!(o.noise >= 0.0) || !std::isfinite(o.noise)) {
    return bad(fmt::format("noise must be >= 0 (got {})", o.noise));
  }
  if (o.start_time < 0) return bad(fmt::format("start_time must be >= 0 (got {})", o.start_time));
  return std::unique_ptr<SensorsGenerator>(new SensorsGenerator(o));
}

Result<std::unique_ptr<Generator>> SensorsGenerator::from_params(GeneratorParams& p) {
  Options o;
  o.n_machines = p.integer("n_machines", o.n_machines, "number of machines");
  o.interval = p.number("interval", o.interval, "seconds between two readings of a machine");
  o.mean_life = p.number("mean_life", o.mean_life, "mean hours from a repair to the next failure");
  o.repair_time = p.number("repair_time", o.repair_time, "hours a failed machine is down");
  o.noise = p.number("noise", o.noise, "scale of the measurement noise");
  o.start_time = p.integer("start_time", o.start_time, "event time of the start, epoch ms");
  o.seed = p.seed("seed", "random seed");
  RIVULET_RETURN_IF_ERROR(p.finish());
  RIVULET_ASSIGN_OR_RETURN(auto g, create(o));
  return std::unique_ptr<Generator>(std::move(g));
}

namespace {
bool later(const std::vector<auto>& machines, uint32_t a, uint32_t b) {
  return machines[a].next_time > machines[b].next_time ||
         (machines[a].next_time == machines[b].next_time && a > b);
}
}  // namespace

SensorsGenerator::SensorsGenerator(const Options& o) : options_(o) {
  id_width_ = std::max(3, static_cast<int>(std::to_string(o.n_machines - 1).size()));
  s_.rng.reseed(o.seed);
  const auto n = static_cast<size_t>(o.n_machines);
  const auto start = static_cast<double>(o.start_time);
  s_.machines.resize(n);
  for (Machine& m : s_.machines) {
    m.base_temperature = 65.0 + 3.0 * s_.rng.normal();
    m.base_vibration = 2.0 + 0.3 * s_.rng.normal();
    m.base_pressure = 6.0 + 0.2 * s_.rng.normal();
    m.base_rpm = 1500.0 + 20.0 * s_.rng.normal();
    // Machines start at random points of their lives, so that failures are spread out.
    const double life = draw_life_ms();
    m.life_start = start - s_.rng.uniform() * life;
    m.fail_time = m.life_start + life;
    m.signature = draw_signature();
    m.next_time = start + s_.rng.uniform() * options_.interval * 1000.0;
  }
  s_.queue.resize(n);
  for (uint32_t i = 0; i < n; ++i) s_.queue[i] = i;
  std::make_heap(s_.queue.begin(), s_.queue.end(),
                 [this](uint32_t a, uint32_t b) { return later(s_.machines, a, b); });
}

double SensorsGenerator::draw_life_ms() {
  return options_.mean_life * kHourMs * (0.5 + s_.rng.uniform());
}

double SensorsGenerator::draw_signature() {
  const double u = s_.rng.uniform();
  return u < 0.2 ? 0.15 : 0.6 + 0.8 * s_.rng.uniform();
}

std::string SensorsGenerator::spec() const {
  const Options& o = options_;
  return internal::SpecText("sensors")
      .add("n_machines", o.n_machines)
      .add("interval", o.interval)
      .add("mean_life", o.mean_life)
      .add("repair_time", o.repair_time)
      .add("noise", o.noise)
      .add("start_time", o.start_time)
      .add("seed", o.seed)
      .str();
}

void SensorsGenerator::emit(std::string& line) {
  auto cmp = [this](uint32_t a, uint32_t b) { return later(s_.machines, a, b); };
  Random& rng = s_.rng;
  const double interval_ms = options_.interval * 1000.0;
  for (;;) {
    std::pop_heap(s_.queue.begin(), s_.queue.end(), cmp);
    const uint32_t index = s_.queue.back();
    Machine& m = s_.machines[index];
    const double t = m.next_time;
    if (t >= m.fail_time) {
      // Failed before this reading: down for the repair, then a new life. No reading.
      m.life_start = m.fail_time + options_.repair_time * kHourMs;
      m.fail_time = m.life_start + draw_life_ms();
      m.signature = draw_signature();
      m.next_time = m.life_start + rng.uniform() * interval_ms;
      std::push_heap(s_.queue.begin(), s_.queue.end(), cmp);
      continue;
    }
    const double wear = (t - m.life_start) / (m.fail_time - m.life_start);  // in [0, 1)
    const double daily = std::sin(6.283185307179586 * std::fmod(t / kHourMs, 24.0) / 24.0);
    const double noise = options_.noise;
    const double k = m.signature;
    const double temperature = m.base_temperature + 3.0 * daily +
                               k * (3.0 * wear + 10.0 * std::pow(wear, 4.0)) +
                               noise * 1.5 * rng.normal();
    const double vibration =
        std::max(0.0, m.base_vibration + k * (0.3 * wear + 2.0 * std::pow(wear, 6.0)) +
                          noise * 0.3 * rng.normal());
    const double pressure =
        m.base_pressure - k * 0.6 * wear * wear * wear + noise * 0.12 * rng.normal();
    const double rpm =
        m.base_rpm - k * (30.0 * wear + 80.0 * std::pow(wear, 5.0)) + noise * 12.0 * rng.normal();
    const bool failing = m.fail_time - t <= kHorizonMs;

    internal::JsonLine j(line);
    j.id("\"machine_id\":", "m", index, id_width_)
        .integer("\"event_time\":", std::llround(t))
        .number("\"temperature\":", round_to(temperature, 100.0))
        .number("\"vibration\":", round_to(vibration, 1000.0))
        .number("\"pressure\":", round_to(pressure, 100.0))
        .number("\"rpm\":", round_to(rpm, 10.0))
        .boolean("\"failure_within_24h\":", failing)
        .end();
    m.next_time = t + interval_ms * (0.9 + 0.2 * rng.uniform());
    std::push_heap(s_.queue.begin(), s_.queue.end(), cmp);
    return;
  }
}

void SensorsGenerator::save(StateWriter& out) const { out(s_); }

void SensorsGenerator::load(StateReader& in) {
  State s;
  in(s);
  if (s.machines.size() != s_.machines.size() || s.queue.size() != s_.queue.size()) {
    throw cereal::Exception("sensors: state of another size");
  }
  for (uint32_t q : s.queue) {
    if (q >= s.machines.size()) throw cereal::Exception("sensors: bad state");
  }
  s_ = std::move(s);
}

}  // namespace rivulet::io
