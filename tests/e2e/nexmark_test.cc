// The Nexmark pipelines of examples/nexmark/, run by `rivulet run`, against a straightforward
// computation of the same query on the same events: the generator's own JSON lines, read field
// by field with regular expressions (no part of the engine, decoder or encoder involved).

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "rivulet/io/generators/generator.h"

namespace {

namespace fs = std::filesystem;

constexpr uint64_t kEvents = 10000;

struct Bid {
  int64_t auction = 0, bidder = 0, price = 0, date_time = 0;
  std::string extra;  // as the generator escaped it
};

// The bids among the first kEvents events of nexmark(seed=0), in order.
std::vector<Bid> read_reference_bids() {
  auto g = rivulet::io::Generator::create("nexmark(seed=0)").value();
  const std::regex kind(R"re("kind":"(\w+)")re");
  const auto number = [](const std::string& line, const char* field) {
    std::smatch m;
    const std::regex re(fmt::format(R"re("{}":(-?\d+))re", field));
    EXPECT_TRUE(std::regex_search(line, m, re)) << field << " in " << line;
    return std::stoll(m[1]);
  };
  const std::regex extra(R"re("extra":"((?:[^"\\]|\\.)*)")re");
  std::vector<Bid> bids;
  std::string line;
  for (uint64_t i = 0; i < kEvents; ++i) {
    line.clear();
    g->next(line);
    std::smatch m;
    if (!std::regex_search(line, m, kind) || m[1] != "bid") continue;
    Bid b;
    b.auction = number(line, "auction");
    b.bidder = number(line, "bidder");
    b.price = number(line, "price");
    b.date_time = number(line, "dateTime");
    std::smatch e;
    EXPECT_TRUE(std::regex_search(line, e, extra)) << line;
    b.extra = e[1];
    bids.push_back(std::move(b));
  }
  return bids;
}

const std::vector<Bid>& reference_bids() {
  static const std::vector<Bid> bids = read_reference_bids();
  return bids;
}

// Runs examples/nexmark/<query>.yaml over kEvents events; the output's lines.
std::vector<std::string> run_query(const std::string& query) {
  const fs::path out = fs::temp_directory_path() /
                       fmt::format("rivulet_nexmark_test_{}_{}.jsonl", ::getpid(), query);
  const std::string cmd = fmt::format(
      "cd {} && {} run examples/nexmark/{}.yaml --quiet --set source.count={} "
      "--set sinks.0.path={}",
      RIVULET_SOURCE_DIR, RIVULET_BINARY, query, kEvents, out.string());
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::vector<std::string> lines;
  std::ifstream in(out);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  fs::remove(out);
  return lines;
}

TEST(NexmarkTest, Q0PassesEveryBidThrough) {
  std::vector<std::string> expected;
  for (const Bid& b : reference_bids()) {
    expected.push_back(fmt::format(
        R"({{"auction": {}, "bidder": {}, "price": {}, "dateTime": {}, "extra": "{}"}})",
        b.auction, b.bidder, b.price, b.date_time, b.extra));
  }
  ASSERT_EQ(expected.size(), 9200u);  // 46 bids in every 50 events
  EXPECT_EQ(run_query("q0"), expected);
}

TEST(NexmarkTest, Q1ConvertsPricesToEuros) {
  std::vector<std::string> expected;
  for (const Bid& b : reference_bids()) {
    expected.push_back(fmt::format(
        R"({{"auction": {}, "bidder": {}, "price": {}, "dateTime": {}, "extra": "{}"}})",
        b.auction, b.bidder, 0.908 * static_cast<double>(b.price), b.date_time, b.extra));
  }
  EXPECT_EQ(run_query("q1"), expected);
}

TEST(NexmarkTest, Q2SelectsTheBidsOfSomeAuctions) {
  std::vector<std::string> expected;
  for (const Bid& b : reference_bids()) {
    if (b.auction % 123 == 0) {
      expected.push_back(fmt::format(R"({{"auction": {}, "price": {}}})", b.auction, b.price));
    }
  }
  ASSERT_GT(expected.size(), 10u);
  EXPECT_EQ(run_query("q2"), expected);
}

}  // namespace
