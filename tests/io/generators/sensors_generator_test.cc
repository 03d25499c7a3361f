#include "rivulet/io/generators/sensors_generator.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "io/generators/learnability.h"

namespace rivulet::io {
namespace {

std::string_view field(std::string_view line, std::string_view key) {
  const std::string quoted = "\"" + std::string(key) + "\":";
  const size_t at = line.find(quoted);
  if (at == std::string_view::npos) return {};
  const size_t start = at + quoted.size();
  const size_t end = line.find_first_of(",}", start);
  std::string_view v = line.substr(start, end - start);
  if (!v.empty() && v.front() == '"') v = v.substr(1, v.size() - 2);
  return v;
}
int64_t as_int(std::string_view v) { return std::strtoll(std::string(v).c_str(), nullptr, 10); }

TEST(SensorsGeneratorTest, ReadingsInEventTimeOrderWithFailuresAndRepairs) {
  auto sensors = SensorsGenerator::create(
                     {.n_machines = 20, .interval = 600, .mean_life = 48, .repair_time = 4})
                     .value();
  int64_t last = 0;
  int failing = 0;
  int repairs = 0;
  struct Seen {
    int64_t time = 0;
    bool failing = false;
  };
  std::map<std::string, Seen> machines;
  const int n = 20000;
  std::string line;
  for (int i = 0; i < n; ++i) {
    line.clear();
    sensors->next(line);
    const int64_t t = as_int(field(line, "event_time"));
    EXPECT_GE(t, last);
    last = t;
    const bool f = field(line, "failure_within_24h") == "true";
    failing += f;
    Seen& m = machines[std::string(field(line, "machine_id"))];
    if (m.failing && !f) {
      // The machine failed between these readings and was down for the repair.
      ++repairs;
      EXPECT_GE(t - m.time, 4 * 3600 * 1000);
    }
    m = {t, f};
  }
  EXPECT_EQ(machines.size(), 20u);
  EXPECT_EQ(machines.begin()->first, "m000");
  EXPECT_GT(repairs, 50);
  // The last 24 hours of each life are labelled, and lives last 48 hours on average: about half
  // of the readings, over many lives.
  EXPECT_NEAR(static_cast<double>(failing) / n, 0.5, 0.08);
}

TEST(SensorsGeneratorTest, RejectsBadOptions) {
  EXPECT_EQ(SensorsGenerator::create({.n_machines = 0}).status().message(),
            "sensors: n_machines must be in [1, 10^6] (got 0)");
  EXPECT_FALSE(SensorsGenerator::create({.interval = 0.0}).ok());
  EXPECT_FALSE(SensorsGenerator::create({.mean_life = -1.0}).ok());
  EXPECT_FALSE(SensorsGenerator::create({.repair_time = -1.0}).ok());
  EXPECT_FALSE(SensorsGenerator::create({.noise = -1.0}).ok());
}

// Wear shows in the readings: a Hoeffding tree predicts failures within 24 hours far better than
// chance (the share of readings of a given label is about 0.1 with the default lives).
TEST(SensorsGeneratorTest, HoeffdingTreeLearnsToPredictFailures) {
  const auto auc =
      test::prequential_metric("sensors(interval=300)", 20000, "tree.HoeffdingTreeClassifier",
                               "failure_within_24h", {"machine_id", "event_time"});
  ASSERT_TRUE(auc.ok()) << auc.status().to_string();
  EXPECT_GT(*auc, 0.7);
}

}  // namespace
}  // namespace rivulet::io
