#pragma once
// What a file sink has made visible, for the checkpoint and crash tests.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "rivulet/io/sinks.h"

namespace rivulet::test_support {

/// The output of the file sink writing `path`: the file itself (a sink without parts), then its
/// committed parts path-0, path-1, ... in order (io::FileSink::part_path; parts are numbered
/// without gaps). Hidden in-progress and pending parts are not output.
inline std::string committed_output(const std::string& path) {
  const auto slurp = [](const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  std::string out = std::filesystem::exists(path) ? slurp(path) : std::string();
  for (uint64_t k = 0; std::filesystem::exists(io::FileSink::part_path(path, k)); ++k) {
    out += slurp(io::FileSink::part_path(path, k));
  }
  return out;
}

}  // namespace rivulet::test_support
