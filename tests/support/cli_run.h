#pragma once
// Runs the rivulet binary under test (RIVULET_BINARY) with a command line and collects its exit
// status, stdout and stderr, for the end-to-end tests.

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace rivulet::test_support {

struct CliRun {
  int status = -1;  ///< the exit status; -1 when the binary did not exit normally
  std::string out;
  std::string err;
};

/// Runs the shell command `cmd`, its stderr through the file `err_path` (removed after).
inline CliRun run_shell(const std::string& cmd, const std::string& err_path) {
  CliRun r;
  FILE* pipe = popen((cmd + " 2>" + err_path).c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int raw = pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  std::ifstream f(err_path);
  r.err.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  std::filesystem::remove(err_path);
  return r;
}

/// Runs `rivulet <args>` through the shell (so `args` may quote), stderr through the file
/// `err_path` (removed after).
inline CliRun run_cli(const std::string& args, const std::string& err_path) {
  return run_shell(std::string(RIVULET_BINARY) + " " + args, err_path);
}

}  // namespace rivulet::test_support
