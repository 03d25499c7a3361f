#pragma once
// Shared checks for the drift detector tests: River's docstring streams (drawn with
// rivulet::PythonRandom exactly as Python's random.Random draws them), the docstring print loop,
// and the reset / clone / save-load / registry checks every detector must pass.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "rivulet/core/python_random.h"
#include "rivulet/ml/drift/drift_detector.h"
#include "rivulet/ml/registry.h"
#include "rivulet/ml/spec.h"

namespace rivulet::ml::drift_testing {

// Python: rng = random.Random(12345)
//         rng.choices([0, 1], k=1000) + rng.choices(range(4, 8), k=1000)
inline std::vector<double> two_distributions() {
  PythonRandom rng(12345);
  std::vector<double> xs;
  for (int i = 0; i < 1000; ++i) xs.push_back(std::floor(rng.random() * 2));
  for (int i = 0; i < 1000; ++i) xs.push_back(4 + std::floor(rng.random() * 4));
  return xs;
}

// Python: rng = random.Random(42)
//         rng.choices([0, 1], k=1000) + rng.choices([0, 1], k=1000, weights=[0.3, 0.7])
inline std::vector<double> binary_errors() {
  PythonRandom rng(42);
  std::vector<double> xs;
  for (int i = 0; i < 1000; ++i) xs.push_back(std::floor(rng.random() * 2));
  const double weights[] = {0.3, 0.7};
  double cumulative[2];
  for (int i = 0; i < 1000; ++i) xs.push_back(static_cast<double>(rng.choice(weights, cumulative)));
  return xs;
}

// River's docstring loop: "W<i>" for the first warning since the last drift, "D<i>" per drift.
inline std::vector<std::string> events(DriftDetector& d, const std::vector<double>& xs) {
  std::vector<std::string> out;
  bool print_warning = true;
  for (size_t i = 0; i < xs.size(); ++i) {
    d.update(xs[i]);
    if (d.warning_detected() && print_warning) {
      out.push_back("W" + std::to_string(i));
      print_warning = false;
    }
    if (d.drift_detected()) {
      out.push_back("D" + std::to_string(i));
      print_warning = true;
    }
  }
  return out;
}

inline std::unique_ptr<DriftDetector> make(const std::string& spec) {
  auto call = parse_call(spec);
  EXPECT_TRUE(call.ok()) << spec;
  if (!call.ok()) return nullptr;
  auto made = make_drift_detector(*call);
  EXPECT_TRUE(made.ok()) << spec << ": " << made.status().message();
  return made.ok() ? std::move(made).value() : nullptr;
}

inline Status make_status(const std::string& spec) {
  auto call = parse_call(spec);
  if (!call.ok()) return call.status();
  auto made = make_drift_detector(*call);
  return made.ok() ? Status() : made.status();
}

// The (drift, warning) flags after each update, as one string.
inline std::string trace(DriftDetector& d, const std::vector<double>& xs, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    d.update(xs[i]);
    out += d.drift_detected() ? 'D' : (d.warning_detected() ? 'W' : '.');
  }
  return out;
}

// reset() and clone() give a detector that behaves as a new one; a detector restored from
// bytes saved halfway continues exactly as the original.
inline void expect_lifecycle(const std::string& spec, const std::vector<double>& xs) {
  SCOPED_TRACE(spec);
  auto fresh = make(spec);
  ASSERT_NE(fresh, nullptr);
  const std::string expected = trace(*fresh, xs, 0, xs.size());
  ASSERT_NE(expected.find('D'), std::string::npos) << "the stream should make " << spec << " drift";

  auto used = make(spec);
  trace(*used, xs, 0, xs.size() / 2);
  auto cloned = used->clone();
  EXPECT_EQ(cloned->name(), used->name());
  EXPECT_EQ(trace(*cloned, xs, 0, xs.size()), expected) << "clone() must give a fresh state";
  used->reset();
  EXPECT_FALSE(used->drift_detected());
  EXPECT_FALSE(used->warning_detected());
  EXPECT_EQ(trace(*used, xs, 0, xs.size()), expected) << "reset() must give a fresh state";

  for (size_t split : {size_t{1}, xs.size() / 3, xs.size() / 2 + 7}) {
    auto original = make(spec);
    const std::string head = trace(*original, xs, 0, split);
    std::stringstream bytes;
    {
      StateWriter out(bytes);
      original->save(out);
    }
    auto restored = make(spec);
    trace(*restored, xs, 0, 17);  // some state to overwrite
    {
      StateReader in(bytes);
      restored->load(in);
    }
    EXPECT_EQ(restored->drift_detected(), original->drift_detected());
    EXPECT_EQ(restored->warning_detected(), original->warning_detected());
    EXPECT_EQ(head + trace(*restored, xs, split, xs.size()), expected) << "restored at " << split;
  }
}

}  // namespace rivulet::ml::drift_testing
