#include "rivulet/io/generators/transactions_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "io/generators/learnability.h"

namespace rivulet::io {
namespace {

// The raw text of a field of one of our own JSON lines (no nesting, no escapes).
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
double as_double(std::string_view v) { return std::strtod(std::string(v).c_str(), nullptr); }

std::vector<std::string> take(Generator& g, size_t n) {
  std::vector<std::string> lines(n);
  for (auto& line : lines) g.next(line);
  return lines;
}

TEST(TransactionsGeneratorTest, LabelsFollowTheirPaymentsWithinTheDelay) {
  auto tx = TransactionsGenerator::create({.label_delay = 2.0, .seed = 1}).value();
  const auto lines = take(*tx, 20000);
  struct Paid {
    int64_t time;
    std::string_view fraud;
    bool labelled = false;
  };
  std::map<int64_t, Paid> paid;
  int64_t last_label_time = 0, last_payment_time = 0, labels = 0;
  for (const auto& line : lines) {
    const int64_t id = as_int(field(line, "transaction_id"));
    const int64_t time = as_int(field(line, "event_time"));
    if (field(line, "type") == "payment") {
      paid[id] = {time, field(line, "is_fraud")};
      last_payment_time = std::max(last_payment_time, time);
      continue;
    }
    ASSERT_EQ(field(line, "type"), "label");
    ++labels;
    auto it = paid.find(id);
    ASSERT_NE(it, paid.end()) << "a label before its payment: " << line;
    EXPECT_FALSE(it->second.labelled) << "labelled twice: " << line;
    it->second.labelled = true;
    EXPECT_EQ(field(line, "is_fraud"), it->second.fraud);
    // From half to one and a half times label_delay after the payment (whose event time may be
    // up to max_lateness = 5 s early).
    EXPECT_GE(time - it->second.time, 1000 - 1);
    EXPECT_LE(time - it->second.time, 3000 + 5000 + 1);
    EXPECT_GE(time, last_label_time) << "labels come out in event-time order";
    last_label_time = time;
  }
  EXPECT_GT(labels, 9000);
  for (const auto& [id, p] : paid) {
    // Due at most 1.5 * label_delay after the payment's arrival, which is at most max_lateness
    // after its event time.
    if (p.time < last_payment_time - 3000 - 5000 - 100) {
      EXPECT_TRUE(p.labelled) << "no label for " << id;
    }
  }
}

TEST(TransactionsGeneratorTest, LabelFractionLeavesSomePaymentsUnlabelled) {
  auto half = TransactionsGenerator::create({.label_delay = 1.0, .label_fraction = 0.5}).value();
  int payments = 0, labels = 0;
  for (const auto& line : take(*half, 30000)) {
    (field(line, "type") == "payment" ? payments : labels) += 1;
  }
  EXPECT_NEAR(static_cast<double>(labels) / payments, 0.5, 0.03);
  auto none = TransactionsGenerator::create({.label_delay = 1.0, .label_fraction = 0.0}).value();
  for (const auto& line : take(*none, 5000)) EXPECT_EQ(field(line, "type"), "payment");
}

TEST(TransactionsGeneratorTest, LabelSwitchesLeaveThePaymentsUnchanged) {
  auto full = TransactionsGenerator::create({.label_delay = 1.0}).value();
  auto bare =
      TransactionsGenerator::create({.label_delay = 1.0, .labels = false, .inline_label = false})
          .value();
  std::vector<std::string> payments;
  for (auto line : take(*full, 6000)) {
    if (field(line, "type") != "payment") continue;
    const size_t at = line.find(",\"is_fraud\":");
    line.erase(at, line.find('}', at) - at);
    payments.push_back(line);
  }
  EXPECT_EQ(take(*bare, payments.size()), payments);
}

TEST(TransactionsGeneratorTest, FraudPatternChangesAtTheDriftPoints) {
  auto tx = TransactionsGenerator::create(
                {.fraud_rate = 0.05, .drift_every = 4000, .labels = false, .seed = 3})
                .value();
  struct Counts {
    int payments = 0, fraud = 0, tiny_online = 0, large = 0, swipe = 0;
  };
  Counts by_pattern[3];
  for (int i = 0; i < 12000; ++i) {
    const int pattern = tx->pattern();
    EXPECT_EQ(pattern, i / 4000);
    std::string line;
    tx->next(line);
    Counts& c = by_pattern[pattern];
    ++c.payments;
    if (field(line, "is_fraud") != "true") continue;
    ++c.fraud;
    const double amount = as_double(field(line, "amount"));
    c.tiny_online += field(line, "channel") == "online" && amount <= 5.0;
    c.large += amount >= 300.0;
    c.swipe += field(line, "channel") == "swipe";
  }
  for (const Counts& c : by_pattern)
    EXPECT_NEAR(static_cast<double>(c.fraud) / c.payments, 0.05, 0.012);
  EXPECT_EQ(by_pattern[0].tiny_online, by_pattern[0].fraud);   // card testing
  EXPECT_GT(by_pattern[1].large, 0.9 * by_pattern[1].fraud);   // high value
  EXPECT_GT(by_pattern[2].swipe, 0.75 * by_pattern[2].fraud);  // skimming
  EXPECT_EQ(by_pattern[1].tiny_online, 0);
  EXPECT_EQ(by_pattern[2].tiny_online, 0);
}

TEST(TransactionsGeneratorTest, SomePaymentsArriveLate) {
  auto tx =
      TransactionsGenerator::create({.labels = false, .out_of_order = 0.05, .max_lateness = 5.0})
          .value();
  int64_t high = 0;
  int late = 0;
  for (const auto& line : take(*tx, 20000)) {
    const int64_t t = as_int(field(line, "event_time"));
    if (t < high) {
      ++late;
      EXPECT_LE(high - t, 5000 + 1);
    }
    high = std::max(high, t);
  }
  EXPECT_NEAR(late / 20000.0, 0.05, 0.01);
  auto ordered = TransactionsGenerator::create({.labels = false, .out_of_order = 0.0}).value();
  high = 0;
  for (const auto& line : take(*ordered, 5000)) {
    const int64_t t = as_int(field(line, "event_time"));
    EXPECT_GE(t, high);
    high = t;
  }
}

TEST(TransactionsGeneratorTest, IdsAndTimesLookRight) {
  auto tx =
      TransactionsGenerator::create({.n_cards = 500, .n_merchants = 40, .labels = false}).value();
  const auto lines = take(*tx, 100);
  EXPECT_EQ(lines[0].rfind("{\"type\":\"payment\",\"event_time\":17000000000", 0), 0u) << lines[0];
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(as_int(field(lines[i], "transaction_id")), static_cast<int64_t>(i + 1));
    EXPECT_EQ(field(lines[i], "card_id").size(), 4u);  // "c" and 3 digits for 500 cards
    EXPECT_EQ(field(lines[i], "merchant").size(), 3u);
    EXPECT_GT(as_double(field(lines[i], "amount")), 0.0);
  }
}

TEST(TransactionsGeneratorTest, RejectsBadOptions) {
  EXPECT_EQ(TransactionsGenerator::create({.n_merchants = 5}).status().message(),
            "transactions: n_merchants must be in [12, 10^8] (got 5)");
  EXPECT_FALSE(TransactionsGenerator::create({.n_cards = 0}).ok());
  EXPECT_FALSE(TransactionsGenerator::create({.payments_per_second = 0.0}).ok());
  EXPECT_FALSE(TransactionsGenerator::create({.fraud_rate = 1.5}).ok());
  EXPECT_FALSE(TransactionsGenerator::create({.drift_every = -1}).ok());
  EXPECT_FALSE(TransactionsGenerator::create({.label_delay = -1.0}).ok());
  EXPECT_FALSE(TransactionsGenerator::create({.label_fraction = 2.0}).ok());
  EXPECT_FALSE(TransactionsGenerator::create({.out_of_order = -0.1}).ok());
  EXPECT_FALSE(TransactionsGenerator::create({.start_time = -5}).ok());
}

// The point of the stream: an online forest finds the fraud (and keeps finding it across a
// pattern change at payment 15,000), where the majority class scores an AUC of 0.5.
TEST(TransactionsGeneratorTest, AdaptiveRandomForestLearnsTheFraud) {
  const std::string spec = "transactions(labels=False, drift_every=15000, fraud_rate=0.02)";
  const std::vector<std::string> ids = {"type", "event_time", "transaction_id", "card_id",
                                        "merchant"};
  const auto arf = test::prequential_metric(spec, 20000, "forest.ARFClassifier(n_models=5, seed=1)",
                                            "is_fraud", ids);
  ASSERT_TRUE(arf.ok()) << arf.status().to_string();
  const auto prior =
      test::prequential_metric(spec, 20000, "dummy.PriorClassifier", "is_fraud", ids);
  ASSERT_TRUE(prior.ok()) << prior.status().to_string();
  EXPECT_EQ(*prior, 0.5);
  EXPECT_GT(*arf, 0.85);
}

}  // namespace
}  // namespace rivulet::io
