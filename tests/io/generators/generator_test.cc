#include "rivulet/io/generators/generator.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rivulet::io {
namespace {

std::string take(Generator& g, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) g.next(out);
  return out;
}

// Small enough to run fast, with drift and (for transactions) labels waiting across the cut.
const std::vector<std::string> kSpecs = {
    "sea(variant=1, noise=0.1)",
    "hyperplane(n_features=6, mag_change=0.01)",
    "agrawal(classification_function=3, balance_classes=True, perturbation=0.1)",
    "rbf(n_features=4, n_centroids=10, change_speed=0.01, n_drift_centroids=5)",
    "transactions(n_cards=500, n_merchants=50, fraud_rate=0.1, drift_every=300, label_delay=2, "
    "out_of_order=0.05)",
    "sensors(n_machines=5, interval=3600, mean_life=48)",
    "concept_drift(stream=sea(variant=0), drift_stream=sea(variant=3), position=50, width=20)",
    "nexmark(out_of_order_group_size=7, hot_auction_ratio=4)",
};

TEST(GeneratorTest, EveryKindBuildsWithItsDefaultsAndEmitsJsonObjects) {
  for (const auto& kind : generator_kinds()) {
    auto g = Generator::create(kind.name);
    ASSERT_TRUE(g.ok()) << kind.name << ": " << g.status().to_string();
    EXPECT_EQ((*g)->kind(), kind.name);
    std::string line;
    for (int i = 0; i < 100; ++i) {
      line.clear();
      (*g)->next(line);
      ASSERT_GE(line.size(), 3u);
      EXPECT_EQ(line.front(), '{');
      EXPECT_EQ(line.substr(line.size() - 2), "}\n");
      EXPECT_EQ(line.find('\n'), line.size() - 1);
    }
    EXPECT_EQ((*g)->position(), 100u);
    EXPECT_FALSE(describe_generator(kind).empty()) << kind.name;
  }
}

TEST(GeneratorTest, SameSeedSameStreamOtherSeedOtherStream) {
  for (const auto& spec : kSpecs) {
    auto a = Generator::create(spec, 5).value();
    auto b = Generator::create(spec, 5).value();
    auto c = Generator::create(spec, 6).value();
    const std::string sa = take(*a, 500);
    EXPECT_EQ(sa, take(*b, 500)) << spec;
    EXPECT_NE(sa, take(*c, 500)) << spec;
  }
}

TEST(GeneratorTest, SpecInTheSpecOverridesTheDefaultSeed) {
  auto a = Generator::create("sea(seed=3)", 99).value();
  auto b = Generator::create("sea", 3).value();
  EXPECT_EQ(take(*a, 10), take(*b, 10));
  EXPECT_EQ(a->spec(), "sea(variant=0, noise=0.0, seed=3)");
}

TEST(GeneratorTest, CanonicalSpecRebuildsTheSameStream) {
  for (const auto& spec : kSpecs) {
    auto a = Generator::create(spec, 11).value();
    auto b = Generator::create(a->spec(), 12345).value();  // the spec carries the seed
    EXPECT_EQ(a->spec(), b->spec());
    EXPECT_EQ(take(*a, 300), take(*b, 300)) << spec;
  }
}

TEST(GeneratorTest, ResumeFromSavedStateEqualsTheContinuousStream) {
  for (const auto& spec : kSpecs) {
    for (size_t cut : {0, 1, 137, 1000}) {
      auto whole = Generator::create(spec, 3).value();
      const std::string head = take(*whole, cut);
      const std::string tail = take(*whole, 700);

      auto first = Generator::create(spec, 3).value();
      EXPECT_EQ(take(*first, cut), head);
      const std::string state = first->save_state();
      auto resumed = Generator::create(spec, 3).value();
      ASSERT_TRUE(resumed->load_state(state).ok()) << spec;
      EXPECT_EQ(resumed->position(), cut);
      EXPECT_EQ(take(*resumed, 700), tail) << spec << " cut at " << cut;
      EXPECT_EQ(resumed->position(), cut + 700);
    }
  }
}

TEST(GeneratorTest, SkipEqualsTheContinuousStream) {
  for (const auto& spec : kSpecs) {
    auto whole = Generator::create(spec).value();
    take(*whole, 400);
    auto skipped = Generator::create(spec).value();
    skipped->skip(400);
    EXPECT_EQ(skipped->position(), 400u);
    EXPECT_EQ(take(*skipped, 200), take(*whole, 200)) << spec;
  }
}

TEST(GeneratorTest, StateOfAnotherSpecOrCorruptBytesIsRefused) {
  auto sea = Generator::create("sea(variant=1)").value();
  take(*sea, 10);
  const std::string state = sea->save_state();
  auto other = Generator::create("sea(variant=2)").value();
  const Status s = other->load_state(state);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "generator state was saved by sea(variant=1, noise=0.0, seed=42), this generator is "
            "sea(variant=2, noise=0.0, seed=42)");

  for (const auto& spec : kSpecs) {
    auto g = Generator::create(spec).value();
    take(*g, 50);
    const std::string bytes = g->save_state();
    auto fresh = Generator::create(spec).value();
    const std::string expected = take(*Generator::create(spec).value(), 20);
    for (size_t cut : {size_t{0}, size_t{5}, bytes.size() / 2, bytes.size() - 1}) {
      EXPECT_EQ(fresh->load_state(bytes.substr(0, cut)).code(), StatusCode::kDataLoss) << spec;
    }
    for (size_t at : {size_t{3}, size_t{12}, size_t{20}, size_t{30}, bytes.size() - 1}) {
      std::string flipped = bytes;
      flipped[at] = static_cast<char>(flipped[at] ^ 0x10);
      EXPECT_EQ(fresh->load_state(flipped).code(), StatusCode::kDataLoss) << spec << " byte " << at;
    }
    EXPECT_EQ(fresh->position(), 0u);
    EXPECT_EQ(take(*fresh, 20), expected) << spec << ": a refused state changed the generator";
  }
}

TEST(GeneratorTest, UnknownKindListsTheKinds) {
  const auto r = Generator::create("seas");
  EXPECT_EQ(
      r.status().message(),
      "unknown generator 'seas': valid kinds are sea, hyperplane, agrawal, rbf, transactions, "
      "sensors, concept_drift, nexmark");
}

TEST(GeneratorTest, RiverClassNamesAndOverridesWork) {
  auto a = Generator::create("synth.SEA(variant=2)").value();
  auto b =
      Generator::create("datasets.synth.sea", 42, std::vector<std::string>{"variant=2"}).value();
  auto c = Generator::create("Hyperplane").value();
  EXPECT_EQ(a->spec(), b->spec());
  EXPECT_EQ(c->kind(), "hyperplane");
  EXPECT_EQ(find_generator_kind("RANDOMRBF"), find_generator_kind("rbf"));
  EXPECT_EQ(find_generator_kind("synth.Nope"), nullptr);
  const auto bad = Generator::create("sea", 42, std::vector<std::string>{"noise=2"});
  EXPECT_EQ(bad.status().message(), "sea: noise must be in [0, 1] (got 2)");
  const auto typo = Generator::create("transactions", 42, std::vector<std::string>{"fraud=0.1"});
  EXPECT_NE(typo.status().message().find("unknown parameter 'fraud' (parameters: n_cards, "),
            std::string::npos);
}

}  // namespace
}  // namespace rivulet::io
