// The Nexmark pipelines of examples/nexmark/, run by `rivulet run`, against a straightforward
// computation of the same query on the same events: the generator's own JSON lines, read field
// by field with regular expressions (no part of the engine, decoder or encoder involved).

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "rivulet/io/generators/generator.h"

namespace {

namespace fs = std::filesystem;

constexpr uint64_t kEvents = 10000;
constexpr const char* kSpec = "nexmark(seed=0)";

// Strings are kept as the generator escaped them for JSON (the sinks escape them the same way).
struct Person {
  int64_t id = 0, date_time = 0;
  std::string name, email_address, credit_card, city, state, extra;
};
struct Auction {
  int64_t id = 0, initial_bid = 0, reserve = 0, date_time = 0, expires = 0, seller = 0,
          category = 0;
  std::string item_name, description, extra;
};
struct Bid {
  int64_t auction = 0, bidder = 0, price = 0, date_time = 0;
  std::string channel, url, extra;
};
struct Events {
  std::vector<Person> persons;
  std::vector<Auction> auctions;
  std::vector<Bid> bids;
};

// A field of a generator line, by a regular expression per field name (compiled once).
class FieldReader {
 public:
  int64_t number(const std::string& line, const std::string& field) {
    auto it = numbers_.find(field);
    if (it == numbers_.end()) {
      it = numbers_.emplace(field, std::regex(fmt::format(R"re("{}":(-?\d+))re", field))).first;
    }
    std::smatch m;
    EXPECT_TRUE(std::regex_search(line, m, it->second)) << field << " in " << line;
    return m.empty() ? 0 : std::stoll(m[1]);
  }
  std::string text(const std::string& line, const std::string& field) {
    auto it = texts_.find(field);
    if (it == texts_.end()) {
      it = texts_.emplace(field, std::regex(fmt::format(R"re("{}":"((?:[^"\\]|\\.)*)")re", field)))
               .first;
    }
    std::smatch m;
    EXPECT_TRUE(std::regex_search(line, m, it->second)) << field << " in " << line;
    return m.empty() ? std::string() : std::string(m[1]);
  }

 private:
  std::map<std::string, std::regex> numbers_, texts_;
};

// The first `count` events of the generator `spec`, in order.
Events read_reference(const std::string& spec, uint64_t count) {
  auto g = rivulet::io::Generator::create(spec).value();
  const std::regex kind(R"re("kind":"(\w+)")re");
  FieldReader f;
  Events events;
  std::string line;
  for (uint64_t i = 0; i < count; ++i) {
    line.clear();
    g->next(line);
    std::smatch m;
    EXPECT_TRUE(std::regex_search(line, m, kind)) << line;
    if (m[1] == "bid") {
      Bid b;
      b.auction = f.number(line, "auction");
      b.bidder = f.number(line, "bidder");
      b.price = f.number(line, "price");
      b.channel = f.text(line, "channel");
      b.url = f.text(line, "url");
      b.date_time = f.number(line, "dateTime");
      b.extra = f.text(line, "extra");
      events.bids.push_back(std::move(b));
    } else if (m[1] == "auction") {
      Auction a;
      a.id = f.number(line, "id");
      a.item_name = f.text(line, "itemName");
      a.description = f.text(line, "description");
      a.initial_bid = f.number(line, "initialBid");
      a.reserve = f.number(line, "reserve");
      a.date_time = f.number(line, "dateTime");
      a.expires = f.number(line, "expires");
      a.seller = f.number(line, "seller");
      a.category = f.number(line, "category");
      a.extra = f.text(line, "extra");
      events.auctions.push_back(std::move(a));
    } else {
      EXPECT_EQ(m[1], "person") << line;
      Person p;
      p.id = f.number(line, "id");
      p.name = f.text(line, "name");
      p.email_address = f.text(line, "emailAddress");
      p.credit_card = f.text(line, "creditCard");
      p.city = f.text(line, "city");
      p.state = f.text(line, "state");
      p.date_time = f.number(line, "dateTime");
      p.extra = f.text(line, "extra");
      events.persons.push_back(std::move(p));
    }
  }
  return events;
}

// read_reference, once per spec and count.
const Events& reference(const std::string& spec = kSpec, uint64_t count = kEvents) {
  static std::map<std::pair<std::string, uint64_t>, Events> cache;
  auto it = cache.find({spec, count});
  if (it == cache.end())
    it = cache.emplace(std::pair(spec, count), read_reference(spec, count)).first;
  return it->second;
}

const std::vector<Bid>& reference_bids() { return reference().bids; }

// Runs examples/nexmark/<query>.yaml over `count` events of the generator `spec`; the output's
// lines.
std::vector<std::string> run_query(const std::string& query, const std::string& spec = kSpec,
                                   uint64_t count = kEvents) {
  const fs::path out = fs::temp_directory_path() /
                       fmt::format("rivulet_nexmark_test_{}_{}.jsonl", ::getpid(), query);
  const std::string cmd = fmt::format(
      "cd {} && {} run examples/nexmark/{}.yaml --quiet --set 'source.generator={}' "
      "--set source.count={} --set sinks.0.path={}",
      RIVULET_SOURCE_DIR, RIVULET_BINARY, query, spec, count, out.string());
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  std::vector<std::string> lines;
  std::ifstream in(out);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  fs::remove(out);
  return lines;
}

// The same lines in any order (a window's rows come out in an order of its own); a failure shows
// the first lines missing and the first lines too many.
void expect_same_lines(std::vector<std::string> got, std::vector<std::string> expected) {
  std::sort(got.begin(), got.end());
  std::sort(expected.begin(), expected.end());
  if (got == expected) return;
  std::vector<std::string> missing, extra;
  std::set_difference(expected.begin(), expected.end(), got.begin(), got.end(),
                      std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), expected.begin(), expected.end(),
                      std::back_inserter(extra));
  missing.resize(std::min<size_t>(missing.size(), 5));
  extra.resize(std::min<size_t>(extra.size(), 5));
  ADD_FAILURE() << got.size() << " lines, expected " << expected.size() << "\nmissing:\n"
                << fmt::format("{}", fmt::join(missing, "\n")) << "\nnot expected:\n"
                << fmt::format("{}", fmt::join(extra, "\n"));
}

// The UTC hour of the day and the date (yyyy-MM-dd) of epoch milliseconds, by the C library.
int utc_hour(int64_t ms) {
  const std::time_t s = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&s, &tm);
  return tm.tm_hour;
}
std::string utc_format(int64_t ms, const char* format) {
  const std::time_t s = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), format, &tm);
  return buf;
}

TEST(NexmarkTest, Q0PassesEveryBidThrough) {
  std::vector<std::string> expected;
  for (const Bid& b : reference_bids()) {
    expected.push_back(fmt::format(
        R"({{"auction": {}, "bidder": {}, "price": {}, "dateTime": {}, "extra": "{}"}})", b.auction,
        b.bidder, b.price, b.date_time, b.extra));
  }
  ASSERT_EQ(expected.size(), 9200u);  // 46 bids in every 50 events
  EXPECT_EQ(reference().persons.size(), 200u);
  EXPECT_EQ(reference().auctions.size(), 600u);
  EXPECT_EQ(run_query("q0"), expected);
}

TEST(NexmarkTest, Q1ConvertsPricesToEuros) {
  std::vector<std::string> expected;
  for (const Bid& b : reference_bids()) {
    expected.push_back(fmt::format(
        R"({{"auction": {}, "bidder": {}, "price": {}, "dateTime": {}, "extra": "{}"}})", b.auction,
        b.bidder, 0.908 * static_cast<double>(b.price), b.date_time, b.extra));
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

// 20 events a second: 1000 s of bids, in which most bidders come back now and then.
TEST(NexmarkTest, Q11CountsTheBidsOfEachSession) {
  const std::string spec = "nexmark(seed=0, first_event_rate=20, next_event_rate=20)";
  const uint64_t count = 20000;
  constexpr int64_t kGap = 10000;
  // Flink's sessions: a bid at most the gap after the bidder's previous one joins its session
  // (TimeWindow.intersects counts windows that touch).
  struct Session {
    int64_t start, last, bids;
  };
  std::map<int64_t, std::vector<Session>> sessions;
  for (const Bid& b : reference(spec, count).bids) {
    auto& list = sessions[b.bidder];
    if (!list.empty() && b.date_time <= list.back().last + kGap) {
      list.back().last = std::max(list.back().last, b.date_time);
      ++list.back().bids;
    } else {
      list.push_back({b.date_time, b.date_time, 1});
    }
  }
  std::vector<std::string> expected;
  size_t bidders_with_several = 0, multi_bid_sessions = 0;
  for (const auto& [bidder, list] : sessions) {
    bidders_with_several += list.size() > 1 ? 1 : 0;
    for (const Session& s : list) {
      multi_bid_sessions += s.bids > 1 ? 1 : 0;
      expected.push_back(
          fmt::format(R"({{"bidder": {}, "bid_count": {}, "starttime": {}, "endtime": {}}})",
                      bidder, s.bids, s.start, s.last + kGap));
    }
  }
  EXPECT_GT(bidders_with_several, 50u);
  EXPECT_GT(multi_bid_sessions, 100u);
  expect_same_lines(run_query("q11", spec, count), expected);
}

// One event a second from 05:00 UTC: bids of the night, the morning and the day.
TEST(NexmarkTest, Q14ClassifiesBidsInAPriceRange) {
  const std::string spec =
      "nexmark(seed=0, first_event_rate=1, next_event_rate=1, base_time=1700024400000)";
  const uint64_t count = 20000;
  std::vector<std::string> expected;
  std::set<std::string> kinds;
  for (const Bid& b : reference(spec, count).bids) {
    const double price = 0.908 * static_cast<double>(b.price);
    if (!(price > 1000000 && price < 50000000)) continue;
    const int hour = utc_hour(b.date_time);
    const char* kind = hour >= 8 && hour <= 18   ? "dayTime"
                       : hour <= 6 || hour >= 20 ? "nightTime"
                                                 : "otherTime";
    kinds.insert(kind);
    const auto c_counts = std::count(b.extra.begin(), b.extra.end(), 'c');
    expected.push_back(
        fmt::format(R"({{"auction": {}, "bidder": {}, "price": {}, "bidTimeType": "{}", )"
                    R"("dateTime": {}, "extra": "{}", "c_counts": {}}})",
                    b.auction, b.bidder, price, kind, b.date_time, b.extra, c_counts));
  }
  EXPECT_EQ(kinds.size(), 3u);
  ASSERT_GT(expected.size(), 1000u);
  EXPECT_EQ(run_query("q14", spec, count), expected);
}

// The three price levels of q15, q16 and q17.
int price_rank(int64_t price) { return price < 10000 ? 1 : price < 1000000 ? 2 : 3; }

// A thousand events a second from 10 s before midnight (UTC): two days.
const std::string kTwoDaysSpec =
    "nexmark(seed=0, first_event_rate=1000, next_event_rate=1000, base_time=1700006390000)";
constexpr uint64_t kTwoDaysCount = 20000;

// The counts of q15 and q16 over some bids.
struct RankCounts {
  int64_t bids[4] = {0, 0, 0, 0};  // [0]: all
  std::set<int64_t> bidders[4], auctions[4];
  void add(const Bid& b) {
    for (int r : {0, price_rank(b.price)}) {
      ++bids[r];
      bidders[r].insert(b.bidder);
      auctions[r].insert(b.auction);
    }
  }
  std::string json() const {
    return fmt::format(
        R"("total_bids": {}, "rank1_bids": {}, "rank2_bids": {}, "rank3_bids": {}, )"
        R"("total_bidders": {}, "rank1_bidders": {}, "rank2_bidders": {}, "rank3_bidders": {}, )"
        R"("total_auctions": {}, "rank1_auctions": {}, "rank2_auctions": {}, )"
        R"("rank3_auctions": {})",
        bids[0], bids[1], bids[2], bids[3], bidders[0].size(), bidders[1].size(), bidders[2].size(),
        bidders[3].size(), auctions[0].size(), auctions[1].size(), auctions[2].size(),
        auctions[3].size());
  }
};

TEST(NexmarkTest, Q15ReportsBiddingStatisticsPerDay) {
  std::map<std::string, RankCounts> days;
  for (const Bid& b : reference(kTwoDaysSpec, kTwoDaysCount).bids) {
    days[utc_format(b.date_time, "%Y-%m-%d")].add(b);
  }
  std::vector<std::string> expected;
  for (const auto& [day, counts] : days) {
    expected.push_back(fmt::format(R"({{"day": "{}", {}}})", day, counts.json()));
  }
  ASSERT_EQ(expected.size(), 2u);
  expect_same_lines(run_query("q15", kTwoDaysSpec, kTwoDaysCount), expected);
}

TEST(NexmarkTest, Q16ReportsChannelStatisticsPerDay) {
  std::map<std::pair<std::string, std::string>, std::pair<std::string, RankCounts>> groups;
  for (const Bid& b : reference(kTwoDaysSpec, kTwoDaysCount).bids) {
    auto& [minute, counts] = groups[{b.channel, utc_format(b.date_time, "%Y-%m-%d")}];
    minute = std::max(minute, utc_format(b.date_time, "%H:%M"));
    counts.add(b);
  }
  std::vector<std::string> expected;
  size_t several_bids = 0;
  for (const auto& [key, value] : groups) {
    several_bids += value.second.bids[0] > 1 ? 1 : 0;
    expected.push_back(fmt::format(R"({{"channel": "{}", "day": "{}", "minute": "{}", {}}})",
                                   key.first, key.second, value.first, value.second.json()));
  }
  EXPECT_GT(expected.size(), 1000u);
  EXPECT_GT(several_bids, 8u);
  expect_same_lines(run_query("q16", kTwoDaysSpec, kTwoDaysCount), expected);
}

TEST(NexmarkTest, Q17ReportsAuctionStatisticsPerDay) {
  struct Stats {
    int64_t bids[4] = {0, 0, 0, 0};
    int64_t min = INT64_MAX, max = INT64_MIN, sum = 0;
  };
  std::map<std::pair<int64_t, std::string>, Stats> groups;
  for (const Bid& b : reference(kTwoDaysSpec, kTwoDaysCount).bids) {
    Stats& s = groups[{b.auction, utc_format(b.date_time, "%Y-%m-%d")}];
    ++s.bids[0];
    ++s.bids[price_rank(b.price)];
    s.min = std::min(s.min, b.price);
    s.max = std::max(s.max, b.price);
    s.sum += b.price;
  }
  std::vector<std::string> expected;
  for (const auto& [key, s] : groups) {
    expected.push_back(fmt::format(
        R"({{"auction": {}, "day": "{}", "total_bids": {}, "rank1_bids": {}, "rank2_bids": {}, )"
        R"("rank3_bids": {}, "min_price": {}, "max_price": {}, "avg_price": {}, "sum_price": {}}})",
        key.first, key.second, s.bids[0], s.bids[1], s.bids[2], s.bids[3], s.min, s.max,
        s.sum / s.bids[0], s.sum));
  }
  EXPECT_GT(expected.size(), 200u);
  expect_same_lines(run_query("q17", kTwoDaysSpec, kTwoDaysCount), expected);
}

TEST(NexmarkTest, Q21AddsAChannelId) {
  // REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2), read by hand: the value of the first
  // channel_id parameter at the start of the URL or after a '&'.
  const auto channel_id = [](const std::string& url) -> std::optional<std::string> {
    for (size_t at = url.find("channel_id="); at != std::string::npos;
         at = url.find("channel_id=", at + 1)) {
      if (at == 0 || url[at - 1] == '&') {
        const size_t begin = at + 11;
        return url.substr(begin, url.find('&', begin) - begin);
      }
    }
    return std::nullopt;
  };
  const std::map<std::string, std::string> hot = {
      {"apple", "0"}, {"google", "1"}, {"facebook", "2"}, {"baidu", "3"}};
  std::vector<std::string> expected;
  size_t by_url = 0;
  for (const Bid& b : reference_bids()) {
    std::string lower = b.channel;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto id = channel_id(b.url);
    const auto h = hot.find(lower);
    if (!id && h == hot.end()) continue;
    by_url += h == hot.end() ? 1 : 0;
    expected.push_back(fmt::format(
        R"({{"auction": {}, "bidder": {}, "price": {}, "channel": "{}", "channel_id": "{}"}})",
        b.auction, b.bidder, b.price, b.channel, h != hot.end() ? h->second : *id));
  }
  EXPECT_GT(by_url, 1000u);
  EXPECT_GT(expected.size() - by_url, 1000u);
  EXPECT_LT(expected.size(), reference_bids().size());
  EXPECT_EQ(run_query("q21"), expected);
}

TEST(NexmarkTest, Q22SplitsUrlsIntoDirectories) {
  std::vector<std::string> expected;
  for (const Bid& b : reference_bids()) {
    std::vector<std::string> parts;  // the URL cut at each '/'
    size_t start = 0;
    for (size_t at = b.url.find('/'); at != std::string::npos; at = b.url.find('/', start)) {
      parts.push_back(b.url.substr(start, at - start));
      start = at + 1;
    }
    parts.push_back(b.url.substr(start));
    const auto dir = [&](size_t i) {
      return i < parts.size() ? "\"" + parts[i] + "\"" : std::string("null");
    };
    expected.push_back(
        fmt::format(R"({{"auction": {}, "bidder": {}, "price": {}, "channel": "{}", "dir1": {}, )"
                    R"("dir2": {}, "dir3": {}}})",
                    b.auction, b.bidder, b.price, b.channel, dir(3), dir(4), dir(5)));
  }
  EXPECT_EQ(run_query("q22"), expected);
}

// ---- queries with joins ----

// The events of a second-long stretch per 1,000 events, so that 10-second windows are several.
constexpr const char* kSlowSpec = "nexmark(seed=0, first_event_rate=1000)";
constexpr uint64_t kSlowCount = 40000;

TEST(NexmarkTest, Q3JoinsAuctionsWithTheirLocalSellers) {
  const Events& e = reference();
  std::vector<std::string> expected;
  for (const Auction& a : e.auctions) {
    if (a.category != 10) continue;
    for (const Person& p : e.persons) {
      if (p.id == a.seller && (p.state == "OR" || p.state == "ID" || p.state == "CA")) {
        expected.push_back(fmt::format(R"({{"name": "{}", "city": "{}", "state": "{}", "id": {}}})",
                                       p.name, p.city, p.state, a.id));
      }
    }
  }
  ASSERT_GT(expected.size(), 10u);
  expect_same_lines(run_query("q3"), expected);
}

TEST(NexmarkTest, Q5FindsTheAuctionsWithTheMostBidsPerSlidingWindow) {
  const Events& e = reference(kSlowSpec, kSlowCount);
  // Hopping windows of 10 s every 2 s: [s, s + 10 s) for s a multiple of 2 s.
  std::map<int64_t, std::map<int64_t, int64_t>> counts;  // window start -> auction -> bids
  for (const Bid& b : e.bids) {
    for (int64_t s = b.date_time / 2000 * 2000; s > b.date_time - 10000; s -= 2000) {
      ++counts[s][b.auction];
    }
  }
  std::vector<std::string> expected;
  for (const auto& [start, auctions] : counts) {
    int64_t most = 0;
    for (const auto& [auction, n] : auctions) most = std::max(most, n);
    for (const auto& [auction, n] : auctions) {
      if (n >= most) expected.push_back(fmt::format(R"({{"auction": {}, "num": {}}})", auction, n));
    }
  }
  ASSERT_GT(counts.size(), 15u);
  expect_same_lines(run_query("q5", kSlowSpec, kSlowCount), expected);
}

TEST(NexmarkTest, Q7FindsTheHighestBidsOfEachWindow) {
  const Events& e = reference(kSlowSpec, kSlowCount);
  std::map<int64_t, int64_t> highest;  // window end -> the highest price of its bids
  for (const Bid& b : e.bids) {
    const int64_t end = b.date_time / 10000 * 10000 + 10000;
    highest[end] = std::max(highest[end], b.price);
  }
  std::vector<std::string> expected;
  for (const Bid& b : e.bids) {
    for (const auto& [end, price] : highest) {
      if (b.price == price && b.date_time >= end - 10000 && b.date_time <= end) {
        expected.push_back(
            fmt::format(R"({{"auction": {}, "price": {}, "bidder": {}, "dateTime": {}, "extra": "{}"}})",
                        b.auction, b.price, b.bidder, b.date_time, b.extra));
      }
    }
  }
  ASSERT_GE(highest.size(), 4u);
  expect_same_lines(run_query("q7", kSlowSpec, kSlowCount), expected);
}

TEST(NexmarkTest, Q8FindsNewPeopleWhoOpenedAnAuctionInTheSameWindow) {
  const Events& e = reference(kSlowSpec, kSlowCount);
  std::set<std::pair<int64_t, int64_t>> sellers;  // (seller, window start)
  for (const Auction& a : e.auctions) sellers.emplace(a.seller, a.date_time / 10000 * 10000);
  std::set<std::string> expected;  // GROUP BY id, name, window
  for (const Person& p : e.persons) {
    const int64_t start = p.date_time / 10000 * 10000;
    if (sellers.count({p.id, start}) > 0) {
      expected.insert(
          fmt::format(R"({{"id": {}, "name": "{}", "starttime": {}}})", p.id, p.name, start));
    }
  }
  ASSERT_GT(expected.size(), 3u);
  expect_same_lines(run_query("q8", kSlowSpec, kSlowCount),
                    std::vector<std::string>(expected.begin(), expected.end()));
}

TEST(NexmarkTest, Q20ExpandsBidsWithTheirAuction) {
  const Events& e = reference();
  std::vector<std::string> expected;
  for (const Bid& b : e.bids) {
    for (const Auction& a : e.auctions) {
      if (a.id != b.auction || a.category != 10) continue;
      expected.push_back(fmt::format(
          R"({{"auction": {}, "bidder": {}, "price": {}, "channel": "{}", "url": "{}", )"
          R"("bid_dateTime": {}, "bid_extra": "{}", "itemName": "{}", "description": "{}", )"
          R"("initialBid": {}, "reserve": {}, "auction_dateTime": {}, "expires": {}, )"
          R"("seller": {}, "category": {}, "auction_extra": "{}"}})",
          b.auction, b.bidder, b.price, b.channel, b.url, b.date_time, b.extra, a.item_name,
          a.description, a.initial_bid, a.reserve, a.date_time, a.expires, a.seller, a.category,
          a.extra));
    }
  }
  ASSERT_GT(expected.size(), 100u);
  expect_same_lines(run_query("q20"), expected);
}

// ---- updating queries: their output is an upsert stream; its last row per key is the result ----

// The last line of each key, the key read from the line by `key` (a regular expression whose
// groups make the key).
std::map<std::string, std::string> last_per_key(const std::vector<std::string>& lines,
                                                const std::string& key) {
  const std::regex re(key);
  std::map<std::string, std::string> last;
  for (const std::string& line : lines) {
    std::smatch m;
    EXPECT_TRUE(std::regex_search(line, m, re)) << line;
    std::string k;
    for (size_t g = 1; g < m.size(); ++g) k += std::string(m[g]) + "/";
    last[k] = line;
  }
  return last;
}

// The bids of each auction that count for it in q4 and q9: from its creation to its expiry.
std::map<int64_t, std::vector<const Bid*>> bids_while_open(const Events& e) {
  std::map<int64_t, const Auction*> auctions;
  for (const Auction& a : e.auctions) auctions[a.id] = &a;
  std::map<int64_t, std::vector<const Bid*>> open;
  for (const Bid& b : e.bids) {
    auto a = auctions.find(b.auction);
    if (a != auctions.end() && b.date_time >= a->second->date_time &&
        b.date_time <= a->second->expires) {
      open[b.auction].push_back(&b);
    }
  }
  return open;
}

TEST(NexmarkTest, Q4AveragesTheWinningPricesOfEachCategory) {
  const Events& e = reference();
  const auto open = bids_while_open(e);
  std::map<int64_t, std::pair<int64_t, int64_t>> per_category;  // category -> (sum, count)
  for (const Auction& a : e.auctions) {
    auto bids = open.find(a.id);
    if (bids == open.end()) continue;
    int64_t best = 0;
    for (const Bid* b : bids->second) best = std::max(best, b->price);
    per_category[a.category].first += best;
    ++per_category[a.category].second;
  }
  std::map<std::string, std::string> expected;
  for (const auto& [category, sc] : per_category) {
    expected[fmt::format("{}/", category)] =
        fmt::format(R"({{"category": {}, "final": {}}})", category, sc.first / sc.second);
  }
  ASSERT_EQ(expected.size(), 5u);
  const auto lines = run_query("q4");
  EXPECT_GT(lines.size(), 100u);  // an update per new maximum
  EXPECT_EQ(last_per_key(lines, R"re("category": (\d+))re"), expected);
}

TEST(NexmarkTest, Q9FindsTheWinningBidOfEachAuction) {
  const Events& e = reference();
  const auto open = bids_while_open(e);
  std::map<std::string, std::string> expected;
  for (const Auction& a : e.auctions) {
    auto bids = open.find(a.id);
    if (bids == open.end()) continue;
    const Bid* best = nullptr;  // the highest price, then the earliest; ties: the first
    for (const Bid* b : bids->second) {
      if (best == nullptr || b->price > best->price ||
          (b->price == best->price && b->date_time < best->date_time)) {
        best = b;
      }
    }
    expected[fmt::format("{}/", a.id)] = fmt::format(
        R"({{"id": {}, "itemName": "{}", "description": "{}", "initialBid": {}, "reserve": {}, )"
        R"("dateTime": {}, "expires": {}, "seller": {}, "category": {}, "extra": "{}", )"
        R"("auction": {}, "bidder": {}, "price": {}, "bid_dateTime": {}, "bid_extra": "{}"}})",
        a.id, a.item_name, a.description, a.initial_bid, a.reserve, a.date_time, a.expires,
        a.seller, a.category, a.extra, best->auction, best->bidder, best->price, best->date_time,
        best->extra);
  }
  ASSERT_GT(expected.size(), 50u);
  EXPECT_EQ(last_per_key(run_query("q9"), R"re(^\{"id": (\d+))re"), expected);
}

std::string bid_line(const Bid& b) {
  return fmt::format(
      R"({{"auction": {}, "bidder": {}, "price": {}, "channel": "{}", "url": "{}", "dateTime": {}, "extra": "{}")",
      b.auction, b.bidder, b.price, b.channel, b.url, b.date_time, b.extra);
}

TEST(NexmarkTest, Q18KeepsEachBiddersLastBidOnEachAuction) {
  std::map<std::string, const Bid*> last;
  for (const Bid& b : reference().bids) {
    const Bid*& kept = last[fmt::format("{}/{}/", b.auction, b.bidder)];
    if (kept == nullptr || b.date_time > kept->date_time) kept = &b;  // ties: the first
  }
  std::map<std::string, std::string> expected;
  for (const auto& [key, b] : last) expected[key] = bid_line(*b) + "}";
  EXPECT_EQ(last_per_key(run_query("q18"), R"re("auction": (\d+), "bidder": (\d+))re"), expected);
}

TEST(NexmarkTest, Q19KeepsTheTenHighestBidsOfEachAuction) {
  std::map<int64_t, std::vector<const Bid*>> per_auction;
  for (const Bid& b : reference().bids) per_auction[b.auction].push_back(&b);
  std::map<std::string, std::string> expected;
  for (auto& [auction, bids] : per_auction) {
    std::stable_sort(bids.begin(), bids.end(),
                     [](const Bid* a, const Bid* b) { return a->price > b->price; });
    for (size_t i = 0; i < bids.size() && i < 10; ++i) {
      expected[fmt::format("{}/{}/", auction, i + 1)] =
          bid_line(*bids[i]) + fmt::format(R"(, "rank_number": {}}})", i + 1);
    }
  }
  EXPECT_EQ(last_per_key(run_query("q19"), R"re(^\{"auction": (\d+),.*"rank_number": (\d+)\}$)re"),
            expected);
}

}  // namespace
