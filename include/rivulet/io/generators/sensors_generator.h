#pragma once
/// Machine sensor readings for predictive maintenance: each of `n_machines` machines reports
/// temperature, vibration, pressure and rpm about every `interval` seconds of event time, as
/// its wear grows from a repair to its next failure (a life of `mean_life` hours on average, from
/// half to one and a half times that). Readings drift with wear: temperature and vibration rise
/// steeply near the end of a life, pressure and rpm sag, each life with its own strength of
/// signature (one life in five ends in a sudden failure that shows little warning); machines
/// differ in their baselines, a daily cycle moves the temperature, and measurement noise (scaled
/// by `noise`) blurs it all. A
/// failed machine is repaired for `repair_time` hours (no readings), then starts a new life.
/// Each reading carries the label `failure_within_24h`: whether that machine fails within 24
/// hours of the reading. Our own design; docs/generators.md describes the model.
///
/// Emits `{"machine_id":"m007","event_time":1700000012345,"temperature":71.23,
/// "vibration":2.412,"pressure":5.98,"rpm":1496.2,"failure_within_24h":false}`, in event-time
/// order.
/// Thread safety: none.
/// ```cpp example
/// auto sensors = rivulet::io::SensorsGenerator::create({.n_machines = 3}).value();
/// std::string line;
/// sensors->next(line);
/// EXPECT_EQ(line.rfind("{\"machine_id\":\"m", 0), 0u);
/// EXPECT_NE(line.find("\"failure_within_24h\":"), std::string::npos);
/// ```

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rivulet/core/random.h"
#include "rivulet/io/generators/generator.h"

namespace rivulet::io {

class SensorsGenerator final : public Generator {
 public:
  struct Options {
    int64_t n_machines = 50;   ///< REQUIRES: in [1, 10^6].
    double interval = 60.0;    ///< Seconds between two readings of a machine. REQUIRES: > 0.
    double mean_life = 240.0;  ///< Mean hours from a repair to the next failure. REQUIRES: > 0.
    double repair_time = 4.0;  ///< Hours a failed machine is down. REQUIRES: >= 0.
    double noise = 1.0;        ///< Scale of the measurement noise. REQUIRES: >= 0.
    int64_t start_time = 1700000000000;  ///< Event time of the start, epoch ms. REQUIRES: >= 0.
    uint64_t seed = 42;
  };
  /// Errors: kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<SensorsGenerator>> create(const Options& options);
  static Result<std::unique_ptr<Generator>> from_params(GeneratorParams& p);

  std::string_view kind() const override { return "sensors"; }
  std::string spec() const override;

 private:
  struct Machine {
    double next_time = 0.0;   // ms
    double life_start = 0.0;  // ms, end of the last repair
    double fail_time = 0.0;   // ms
    double signature = 1.0;   // how strongly this life's wear shows in the readings
    double base_temperature = 0.0, base_vibration = 0.0, base_pressure = 0.0, base_rpm = 0.0;
    template <class Archive>
    void serialize(Archive& ar) {
      ar(next_time, life_start, fail_time, signature, base_temperature, base_vibration,
         base_pressure, base_rpm);
    }
  };
  struct State {
    Random rng;
    std::vector<Machine> machines;
    std::vector<uint32_t> queue;  // min-heap of machines on (next_time, index)
    template <class Archive>
    void serialize(Archive& ar) {
      ar(rng, machines, queue);
    }
  };

  explicit SensorsGenerator(const Options& options);
  void emit(std::string& line) override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  double draw_life_ms();
  double draw_signature();

  Options options_;
  int id_width_ = 1;
  State s_;
};

}  // namespace rivulet::io
