// River 0.12.1's detections on the drift series of data/river/drift/, reproduced exactly.
// tests/testdata/river-0.12.1-drift-detections.jsonl holds, per (file, column, detector), the
// 0-based indices i of the rows whose update made River's detector report a drift
// (`for i, x in enumerate(stream): detector.update(x); if detector.drift_detected: ...`).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "rivulet/ml/registry.h"
#include "rivulet/ml/spec.h"

namespace rivulet::ml {
namespace {

struct Case {
  std::string file, column, detector;
  size_t n = 0;
  std::vector<size_t> detections;
};

// The value of "key": "text" or "key": number / [list] on one line of the jsonl.
std::string field(const std::string& line, const std::string& key) {
  const std::string tag = "\"" + key + "\": ";
  const auto at = line.find(tag);
  if (at == std::string::npos) return {};
  auto start = at + tag.size();
  if (line[start] == '"') return line.substr(start + 1, line.find('"', start + 1) - start - 1);
  if (line[start] == '[') return line.substr(start + 1, line.find(']', start) - start - 1);
  const auto end = line.find_first_of(",}", start);
  return line.substr(start, end - start);
}

std::vector<Case> read_cases() {
  std::ifstream in(std::string(RIVULET_TESTDATA_DIR) + "/river-0.12.1-drift-detections.jsonl");
  std::vector<Case> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Case c;
    c.file = field(line, "file");
    c.column = field(line, "column");
    c.detector = field(line, "detector");
    c.n = std::stoul(field(line, "n"));
    std::stringstream list(field(line, "detections"));
    std::string item;
    while (std::getline(list, item, ',')) c.detections.push_back(std::stoul(item));
    cases.push_back(std::move(c));
  }
  return cases;
}

// One numeric column of a plain CSV file (no quoted fields in these series).
std::vector<double> read_column(const std::string& file, const std::string& column) {
  std::ifstream in(std::string(RIVULET_DATA_DIR) + "/river/drift/" + file);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  std::stringstream names(line);
  std::string name;
  while (std::getline(names, name, ',')) header.push_back(name);
  size_t col = header.size();
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == column) col = i;
  }
  std::vector<double> values;
  if (col == header.size()) return values;
  while (std::getline(in, line)) {
    std::stringstream cells(line);
    std::string cell;
    for (size_t i = 0; i <= col; ++i) std::getline(cells, cell, ',');
    values.push_back(std::strtod(cell.c_str(), nullptr));
  }
  return values;
}

TEST(RiverReferenceTest, DriftDetectionsMatchRiver0121) {
  const auto cases = read_cases();
  ASSERT_EQ(cases.size(), 21u) << "missing " << RIVULET_TESTDATA_DIR;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file + " / " + c.column + " / " + c.detector);
    const auto values = read_column(c.file, c.column);
    ASSERT_EQ(values.size(), c.n);
    auto call = parse_call(c.detector);
    ASSERT_TRUE(call.ok()) << call.status().message();
    auto detector = make_drift_detector(*call);
    if (!detector.ok()) {
      ADD_FAILURE() << detector.status().message();
      continue;
    }
    std::vector<size_t> found;
    for (size_t i = 0; i < values.size(); ++i) {
      (*detector)->update(values[i]);
      if ((*detector)->drift_detected()) found.push_back(i);
    }
    EXPECT_EQ(found, c.detections);
  }
}

}  // namespace
}  // namespace rivulet::ml
