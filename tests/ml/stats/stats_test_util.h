#pragma once
// Helpers for the tests of rivulet::stats: a deterministic stream with exact values in both C++
// and Python (the expected figures come from River 0.12's code run on the same stream), and a
// cereal round trip.
#include <sstream>
#include <vector>

#include "rivulet/core/state.h"

namespace rivulet::stats::testing {

inline std::vector<double> stream(int n) {
  std::vector<double> xs;
  for (long long i = 0; i < n; ++i)
    xs.push_back(static_cast<double>((i * 2654435761LL) % 1000003) / 1000.0);
  return xs;
}

template <typename T>
T round_trip(const T& value, T fresh) {
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    out(value);
  }
  StateReader in(bytes);
  in(fresh);
  return fresh;
}

}  // namespace rivulet::stats::testing
