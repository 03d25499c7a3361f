#include "rivulet/io/generators/concept_drift_generator.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "rivulet/io/generators/generator_params.h"

namespace rivulet::io {
namespace {

// How the expected values were derived: River 0.12.1's ConceptDriftStream.__iter__ (numpy
// version: `rng = check_random_state(seed)`, i.e. np.random.RandomState(seed); sample_idx from
// 1; `v = -4.0 * float(sample_idx - position) / float(width)`; `p = 1 / (1 + np.exp(v))`;
// `rng.rand() > p` takes next(stream), else next(drift_stream)) rewritten by hand in plain
// CPython 3, with RandomState(seed).rand() emulated by a random.Random whose state is set
// (setstate) to MT19937's init_genrand(seed) words (numpy's rand() and CPython's random() both
// take 53 bits from two tempered words; checked on RandomState(42).rand() = 0.3745401188473625
// and RandomState(1).rand() = 0.417022004702574) and River's SEA rewritten over random.Random.
// That script reproduces River 0.12.1's docstring below, digit for digit where it shows digits.

std::vector<std::string> take(Generator& g, size_t n) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < n; ++i) {
    std::string line;
    g.next(line);
    lines.push_back(line);
  }
  return lines;
}

std::string take_all(Generator& g, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) g.next(out);
  return out;
}

// River 0.12.1's docstring (the numpy version of the class):
//   ConceptDriftStream(stream=SEA(seed=42, variant=0), drift_stream=SEA(seed=42, variant=1),
//                      seed=1, position=5, width=2).take(10)
//   {0: 6.3942, 1: 0.2501, 2: 2.7502} False      stream 1
//   {0: 2.2321, 1: 7.3647, 2: 6.7669} True       stream 2
//   {0: 6.3942, 1: 0.2501, 2: 2.7502} False      drift 1
//   {0: 8.9217, 1: 0.8693, 2: 4.2192} True       stream 3
//   {0: 2.2321, 1: 7.3647, 2: 6.7669} True       drift 2 ... drift 7
//   {0: 8.9217, 1: 0.8693, 2: 4.2192} True
//   {0: 0.2979, 1: 2.1863, 2: 5.0535} False
//   {0: 0.2653, 1: 1.9883, 2: 6.4988} False
//   {0: 5.4494, 1: 2.2044, 2: 5.8926} False
//   {0: 8.0943, 1: 0.0649, 2: 8.0581} False
// By hand: RandomState(1).rand() = 0.417, 0.720, 0.000114, 0.302, 0.147, 0.0923, ... against
// p(t) = 1 / (1 + exp(-2 (t - 5))) = 0.000335, 0.00247, 0.0180, 0.119, 0.5, 0.881, ...: stream,
// stream, drift, stream, then drift from t = 5 on. (River's later random.Random version prints
// another order.) Full digits from the script above.
TEST(ConceptDriftGeneratorTest, RiverDocstringSamples) {
  auto g = Generator::create(
               "concept_drift(stream=synth.SEA(seed=42, variant=0), drift_stream=synth.SEA(seed=42,"
               " variant=1), seed=1, position=5, width=2)")
               .value();
  const std::string a =
      "{\"x0\":6.394267984578837,\"x1\":0.25010755222666936,"
      "\"x2\":2.7502931836911926,\"y\":false}\n";
  const std::string b =
      "{\"x0\":2.2321073814882277,\"x1\":7.364712141640124,"
      "\"x2\":6.766994874229113,\"y\":true}\n";
  const std::string c =
      "{\"x0\":8.921795677048454,\"x1\":0.8693883262941615,"
      "\"x2\":4.2192181968527045,\"y\":true}\n";
  const std::vector<std::string> expected = {
      a,
      b,
      a,
      c,
      b,
      c,
      "{\"x0\":0.29797219438070344,\"x1\":2.1863797480360336,\"x2\":5.053552881033624,\"y\":"
      "false}\n",
      "{\"x0\":0.26535969683863625,\"x1\":1.988376506866485,\"x2\":6.498844377795232,\"y\":"
      "false}\n",
      "{\"x0\":5.449414806032166,\"x1\":2.204406220406967,\"x2\":5.892656838759088,\"y\":false}\n",
      "{\"x0\":8.094304566778266,\"x1\":0.06498759678061017,\"x2\":8.05819251832808,\"y\":false}"
      "\n"};
  EXPECT_EQ(take(*g, 10), expected);
}

// Which stream each of n samples came from ('S' or 'D'), told apart by giving the two SEA streams
// different seeds: the picks depend only on seed, position and width.
std::string picks(const std::string& drift_args, size_t n) {
  auto g = Generator::create(
               "concept_drift(stream=sea(variant=0, seed=1), drift_stream=sea("
               "variant=3, seed=2), " +
               drift_args + ")")
               .value();
  auto s = Generator::create("sea(variant=0, seed=1)").value();
  auto d = Generator::create("sea(variant=3, seed=2)").value();
  std::string out, line, from_s, from_d;
  s->next(from_s);
  d->next(from_d);
  for (size_t i = 0; i < n; ++i) {
    line.clear();
    g->next(line);
    if (line == from_s) {
      out += 'S';
      from_s.clear();
      s->next(from_s);
    } else if (line == from_d) {
      out += 'D';
      from_d.clear();
      d->next(from_d);
    } else {
      ADD_FAILURE() << "sample " << i << " is from neither stream: " << line;
      return out;
    }
  }
  return out;
}

// The brief's example, `concept_drift(stream=sea(variant=0), drift_stream=sea(variant=3),
// position=5000, width=1000, seed=42)`, over 10,000 samples. From the script: the drift stream is
// first picked at sample index 2902 (0-based; then 3626, 3912), the original stream last at 6758
// (before it 6123, 6525); 5012 drift samples in all, 179 of them before index 5000 and 167 stream
// samples from index 5000 on; the drift indices sum to 37454311 and their squares to
// 290896919951.
TEST(ConceptDriftGeneratorTest, DriftTakesOverWhereRiversAlgorithmSays) {
  const std::string p = picks("position=5000, width=1000, seed=42", 10000);
  ASSERT_EQ(p.size(), 10000u);
  EXPECT_EQ(p.find('D'), 2902u);
  EXPECT_EQ(p.find('D', 2903), 3626u);
  EXPECT_EQ(p.find('D', 3627), 3912u);
  EXPECT_EQ(p.rfind('S'), 6758u);
  EXPECT_EQ(p.rfind('S', 6757), 6525u);
  EXPECT_EQ(p.rfind('S', 6524), 6123u);
  uint64_t n = 0, before = 0, after = 0, sum = 0, squares = 0;
  for (uint64_t i = 0; i < p.size(); ++i) {
    if (p[i] == 'D') {
      ++n;
      sum += i;
      squares += i * i;
      if (i < 5000) ++before;
    } else if (i >= 5000) {
      ++after;
    }
  }
  EXPECT_EQ(n, 5012u);
  EXPECT_EQ(before, 179u);
  EXPECT_EQ(after, 167u);
  EXPECT_EQ(sum, 37454311u);
  EXPECT_EQ(squares, 290896919951u);

  // The events themselves (script): the first ones are SEA(variant=0, seed=42)'s, the inner
  // streams without seed= take the outer seed 42, and samples 5000 and 10000 (1-based) are:
  auto g = Generator::create(
               "concept_drift(stream=sea(variant=0), drift_stream=sea(variant=3), position=5000, "
               "width=1000, seed=42)")
               .value();
  const auto lines = take(*g, 10000);
  EXPECT_EQ(lines[0],
            "{\"x0\":6.394267984578837,\"x1\":0.25010755222666936,\"x2\":2.7502931836911926,"
            "\"y\":false}\n");
  EXPECT_EQ(lines[2],
            "{\"x0\":8.921795677048454,\"x1\":0.8693883262941615,\"x2\":4.2192181968527045,"
            "\"y\":true}\n");
  EXPECT_EQ(lines[4999],
            "{\"x0\":2.770815010448928,\"x1\":1.6703773034585279,\"x2\":7.5732639950416125,"
            "\"y\":false}\n");
  EXPECT_EQ(lines[9999],
            "{\"x0\":5.729132769874939,\"x1\":3.447174236694346,\"x2\":6.3035283291939015,"
            "\"y\":false}\n");
  // With distinct inner seeds (script): samples 2902 and 2903 (0-based 2901, 2902).
  auto h = Generator::create(
               "concept_drift(stream=sea(variant=0, seed=1), drift_stream=sea(variant=3, seed=2), "
               "position=5000, width=1000, seed=42)")
               .value();
  const auto hl = take(*h, 2903);
  EXPECT_EQ(hl[2901],
            "{\"x0\":1.4230710521975631,\"x1\":9.06065262742591,\"x2\":0.5473315745531304,"
            "\"y\":true}\n");
  EXPECT_EQ(hl[2902],
            "{\"x0\":9.560342718892494,\"x1\":9.478274870593493,\"x2\":0.5655136772680869,"
            "\"y\":true}\n");
}

// River's defaults: Agrawal(seed=seed) before the drift, Agrawal(seed=seed,
// classification_function=2) after, each advancing only when picked, in the picks above.
TEST(ConceptDriftGeneratorTest, DefaultsAreRiversAgrawalStreams) {
  const std::string p = picks("position=5000, width=1000, seed=42", 7000);
  auto g = Generator::create("concept_drift", 42).value();
  EXPECT_EQ(g->spec(),
            "concept_drift(stream=agrawal(classification_function=0, seed=42, "
            "balance_classes=False, perturbation=0.0), drift_stream=agrawal("
            "classification_function=2, seed=42, balance_classes=False, perturbation=0.0), "
            "position=5000, width=1000, seed=42, alpha=None)");
  auto s = Generator::create("agrawal(seed=42)").value();
  auto d = Generator::create("agrawal(classification_function=2, seed=42)").value();
  std::string expected;
  for (char c : p) (c == 'S' ? s : d)->next(expected);
  EXPECT_EQ(take_all(*g, 7000), expected);
  // River: Agrawal(seed=42)'s first sample.
  auto first = Generator::create("concept_drift(seed=42)").value();
  EXPECT_EQ(take(*first, 1)[0],
            "{\"salary\":68690.21545015712,\"commission\":81303.57298074372,\"age\":62,"
            "\"elevel\":4,\"car\":6,\"zipcode\":2,\"hvalue\":419982.441072602,\"hyears\":11,"
            "\"loan\":433088.07288746757,\"y\":1}\n");
}

TEST(ConceptDriftGeneratorTest, SigmoidAndAlphaAsRiver) {
  auto g = ConceptDriftGenerator::create(
               {.stream = "sea", .drift_stream = "sea(variant=1)", .position = 100, .width = 40})
               .value();
  EXPECT_EQ(g->drift_probability(100), 0.5);
  EXPECT_DOUBLE_EQ(g->drift_probability(110), 1.0 / (1.0 + std::exp(-1.0)));
  EXPECT_DOUBLE_EQ(g->drift_probability(60), 1.0 / (1.0 + std::exp(4.0)));
  // River: w = int(1 / tan(alpha degrees)), at least 1: alpha 1 -> 57, 5 -> 11, 45 -> 1, 90 -> 1.
  for (auto [alpha, width] :
       std::vector<std::pair<double, int>>{{1, 57}, {5, 11}, {45, 1}, {90, 1}}) {
    auto a = Generator::create(
                 fmt::format("concept_drift(sea, sea(variant=1), 100, 1000, 3, {})", alpha))
                 .value();
    EXPECT_NE(a->spec().find(fmt::format(", width={}, seed=3, alpha=", width)), std::string::npos)
        << a->spec();
  }
  // A canonical spec with alpha rebuilds the same stream.
  auto a = Generator::create(
               "concept_drift(stream=sea, drift_stream=sea(variant=2), position=50, "
               "alpha=2.5)",
               8)
               .value();
  auto b = Generator::create(a->spec(), 1).value();
  EXPECT_EQ(a->spec(), b->spec());
  EXPECT_EQ(take_all(*a, 300), take_all(*b, 300));
}

TEST(ConceptDriftGeneratorTest, ResumeAndSkipEqualTheContinuousStream) {
  const std::vector<std::string> specs = {
      "concept_drift(stream=sea(variant=0, noise=0.1), drift_stream=sea(variant=3, seed=7), "
      "position=300, width=100)",
      "concept_drift(stream=agrawal(perturbation=0.1, balance_classes=True), "
      "drift_stream=agrawal(classification_function=5), position=200, width=50)",
      // Two drifts, nested.
      "concept_drift(stream=concept_drift(stream=hyperplane(n_features=3, mag_change=0.01), "
      "drift_stream=rbf(n_features=3, n_centroids=5, change_speed=0.01), position=150, width=20), "
      "drift_stream=hyperplane(n_features=3, seed=9), position=500, width=60)",
  };
  for (const auto& spec : specs) {
    for (size_t cut : {0, 1, 199, 420}) {
      auto whole = Generator::create(spec, 3).value();
      const std::string head = take_all(*whole, cut);
      const std::string tail = take_all(*whole, 600);
      auto first = Generator::create(spec, 3).value();
      EXPECT_EQ(take_all(*first, cut), head);
      const std::string state = first->save_state();
      auto resumed = Generator::create(spec, 3).value();
      ASSERT_TRUE(resumed->load_state(state).ok()) << spec;
      EXPECT_EQ(resumed->position(), cut);
      EXPECT_EQ(take_all(*resumed, 600), tail) << spec << " cut at " << cut;
      auto skipped = Generator::create(spec, 3).value();
      skipped->skip(cut);
      EXPECT_EQ(take_all(*skipped, 600), tail) << spec << " skip " << cut;
    }
    // The canonical spec (with the inner seeds) rebuilds the stream under another default seed.
    auto a = Generator::create(spec, 11).value();
    auto b = Generator::create(a->spec(), 12345).value();
    EXPECT_EQ(a->spec(), b->spec());
    EXPECT_EQ(take_all(*a, 700), take_all(*b, 700)) << spec;
  }
}

TEST(ConceptDriftGeneratorTest, RefusesStatesOfOtherSpecsAndCorruptBytes) {
  const std::string spec = "concept_drift(stream=sea, drift_stream=sea(variant=1), position=20)";
  auto g = Generator::create(spec).value();
  take(*g, 30);
  const std::string bytes = g->save_state();
  auto other = Generator::create(
                   "concept_drift(stream=sea, drift_stream=sea(variant=2), "
                   "position=20)")
                   .value();
  EXPECT_EQ(other->load_state(bytes).code(), StatusCode::kInvalidArgument);
  auto fresh = Generator::create(spec).value();
  const std::string expected = take_all(*Generator::create(spec).value(), 40);
  for (size_t cut : {size_t{0}, size_t{10}, bytes.size() / 2, bytes.size() - 1}) {
    EXPECT_EQ(fresh->load_state(bytes.substr(0, cut)).code(), StatusCode::kDataLoss);
  }
  for (size_t at : {size_t{3}, size_t{20}, size_t{40}, bytes.size() / 2, bytes.size() - 1}) {
    std::string flipped = bytes;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x10);
    EXPECT_EQ(fresh->load_state(flipped).code(), StatusCode::kDataLoss) << "byte " << at;
  }
  EXPECT_EQ(fresh->position(), 0u);
  EXPECT_EQ(take_all(*fresh, 40), expected);
}

TEST(ConceptDriftGeneratorTest, MismatchedFieldsAreAnErrorNamingThem) {
  const auto r = Generator::create("concept_drift(stream=sea, drift_stream=agrawal)", 5);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "concept_drift: stream and drift_stream must emit the same fields, but stream "
            "sea(variant=0, noise=0.0, seed=5) emits x0, x1, x2, y and drift_stream "
            "agrawal(classification_function=0, seed=5, balance_classes=False, perturbation=0.0) "
            "emits age, car, commission, elevel, hvalue, hyears, loan, salary, y, zipcode");
  const auto h = Generator::create(
      "concept_drift(stream=hyperplane(n_features=3), drift_stream=hyperplane(n_features=4))");
  EXPECT_NE(h.status().message().find("emits x0, x1, x2, y and drift_stream"), std::string::npos)
      << h.status().message();
  // Same names, as River (which compares the number of features) allows.
  EXPECT_TRUE(
      Generator::create("concept_drift(stream=sea, drift_stream=hyperplane(n_features=3))").ok());
}

TEST(ConceptDriftGeneratorTest, BadParametersAreErrors) {
  auto message = [](const std::string& spec) { return Generator::create(spec).status().message(); };
  EXPECT_EQ(message("concept_drift(stream=sea, drift_stream=sea, width=0)"),
            "concept_drift: width must be at least 1 (got 0)");
  EXPECT_EQ(message("concept_drift(stream=sea, drift_stream=sea, alpha=0)"),
            "concept_drift: alpha must be in (0, 90] degrees (got 0)");
  EXPECT_EQ(message("concept_drift(stream=sea, drift_stream=sea, alpha=90.5)"),
            "concept_drift: alpha must be in (0, 90] degrees (got 90.5)");
  EXPECT_EQ(message("concept_drift(stream=sea, drift_stream=sea, seed=4294967296)"),
            "concept_drift: seed must be below 2^32, as numpy's RandomState requires (got "
            "4294967296)");
  EXPECT_EQ(message("concept_drift(stream=sea(variant=9), drift_stream=sea)"),
            "concept_drift: stream: sea: variant must be 0, 1, 2 or 3 (got 9)");
  EXPECT_EQ(message("concept_drift(stream=sea, drift_stream=sea(nois=1))"),
            "concept_drift: drift_stream: sea: unknown parameter 'nois' (parameters: variant, "
            "noise, seed)");
  EXPECT_NE(message("concept_drift(stream=seas)")
                .find("concept_drift: stream: unknown generator "
                      "'seas': valid kinds are sea, "),
            std::string::npos);
  EXPECT_EQ(message("concept_drift(stream=5)"),
            "concept_drift: stream expects a generator spec, e.g. sea(variant=1), got '5'");
  EXPECT_EQ(message("concept_drift(position=sea(variant=1))"),
            "concept_drift: position expects an integer, got 'sea(variant=1)'");
  EXPECT_EQ(message("concept_drift(width=1.5)"),
            "concept_drift: width expects an integer, got '1.5'");
  EXPECT_EQ(message("concept_drift(alpha='x')"),
            "concept_drift: alpha expects a number or None, got 'x'");
  EXPECT_EQ(message("concept_drift(stream=sea(variant=1), positon=3)"),
            "concept_drift: unknown parameter 'positon' (parameters: stream, drift_stream, "
            "position, width, seed, alpha)");
  // Syntax of nested specs, with columns counted in the whole spec.
  EXPECT_EQ(message("concept_drift(stream=sea(variant=1), width=3"),
            "generator spec, column 45: ')' expected at the end");
  EXPECT_EQ(message("concept_drift(stream=sea(variant=1, drift_stream=sea)"),
            "generator spec, column 25: unmatched '('");
  EXPECT_EQ(message("concept_drift(stream=sea(variant=)))"),
            "generator spec, column 35: unmatched ')'");
  EXPECT_EQ(message("concept_drift(stream=sea(variant=), drift_stream=sea)"),
            "generator spec, column 34: a value is missing");
  EXPECT_EQ(message("concept_drift(stream=nope(1))"),
            "generator spec, column 22: 'nope' is not a generator kind");
}

TEST(ConceptDriftGeneratorTest, NestedSpecsInTheParameterReader) {
  // Named, positional, quoted, a bare kind, River's class names, and --set.
  auto p = GeneratorParams::parse(
               "concept_drift(sea( 1, noise = 0.1 ), 'agrawal(2)', position=7, alpha=None)")
               .value();
  EXPECT_EQ(p.generator_spec("stream", "agrawal", ""), "sea( 1, noise = 0.1 )");
  EXPECT_EQ(p.generator_spec("drift_stream", "agrawal", ""), "agrawal(2)");
  EXPECT_EQ(p.integer("position", 5000, ""), 7);
  EXPECT_FALSE(p.optional_number("alpha", "").has_value());
  EXPECT_TRUE(p.finish().ok());
  auto q = GeneratorParams::parse("concept_drift(stream=synth.SEA(variant=2), drift_stream=sea)")
               .value();
  ASSERT_TRUE(q.set("drift_stream=synth.Agrawal(classification_function=3)").ok());
  ASSERT_TRUE(q.set("alpha=30").ok());
  EXPECT_EQ(q.generator_spec("stream", "", ""), "synth.SEA(variant=2)");
  EXPECT_EQ(q.generator_spec("drift_stream", "", ""), "synth.Agrawal(classification_function=3)");
  EXPECT_EQ(q.optional_number("alpha", ""), 30.0);
  EXPECT_TRUE(q.finish().ok());
  // Other parameters do not take a nested spec.
  auto r = GeneratorParams::parse("sea(variant=sea(1))").value();
  r.integer("variant", 0, "");
  EXPECT_EQ(r.finish().message(), "sea: variant expects an integer, got 'sea(1)'");
  // --set overrides of the outer spec and a whole nested spec work through Generator::create.
  auto g = Generator::create("concept_drift(stream=sea, drift_stream=sea(variant=3))", 42,
                             std::vector<std::string>{"drift_stream=sea(variant=1)", "width=2",
                                                      "position=5", "seed=1"})
               .value();
  EXPECT_EQ(g->spec(),
            "concept_drift(stream=sea(variant=0, noise=0.0, seed=1), drift_stream=sea(variant=1, "
            "noise=0.0, seed=1), position=5, width=2, seed=1, alpha=None)");
}

TEST(ConceptDriftGeneratorTest, IsListed) {
  const GeneratorKind* kind = find_generator_kind("synth.ConceptDriftStream");
  ASSERT_NE(kind, nullptr);
  EXPECT_EQ(kind->name, "concept_drift");
  EXPECT_EQ(find_generator_kind("CONCEPT_DRIFT"), kind);
  std::string names;
  for (const auto& info : describe_generator(*kind)) names += info.name + ":" + info.type + " ";
  EXPECT_EQ(names, "stream:spec drift_stream:spec position:int width:int seed:int alpha:float ");

  // `rivulet gen --list` shows it; `rivulet gen` runs it.
  auto run = [](const std::string& args) {
    std::string out;
    FILE* pipe = popen((std::string(RIVULET_BINARY) + " " + args + " 2>&1").c_str(), "r");
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    pclose(pipe);
    return out;
  };
  const std::string list = run("gen --list");
  for (const char* needle :
       {"concept_drift  (River: synth.ConceptDriftStream)", "stream: spec = agrawal",
        "drift_stream: spec = agrawal(classification_function=2)", "position: int = 5000",
        "alpha: float = None"}) {
    EXPECT_NE(list.find(needle), std::string::npos) << needle << "\n" << list;
  }
  auto g = Generator::create(
               "concept_drift(stream=sea(variant=0), drift_stream=sea(variant=3), position=5000, "
               "width=1000, seed=42)")
               .value();
  EXPECT_EQ(run("gen 'concept_drift(stream=sea(variant=0), drift_stream=sea(variant=3), "
                "position=5000, width=1000, seed=42)' --count 3000"),
            take_all(*g, 3000));
}

}  // namespace
}  // namespace rivulet::io
