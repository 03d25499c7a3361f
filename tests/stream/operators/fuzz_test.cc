// Random batches through random chains of the record-level operators: nothing crashes, every
// operator's counts reconcile, every output row matches its schema, and the output does not
// depend on the batch size (1, 7 or 1024 rows) nor on using clones.

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <random>
#include <set>

#include "rivulet/stream/operators.h"
#include "stream/operators/operator_test_util.h"

namespace rivulet::stream {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

SchemaPtr input_schema() {
  return schema_of({{"id", Type::kInt},
                    {"amount", Type::kDouble},
                    {"country", Type::kString},
                    {"items", Type::kString},
                    {"flag", Type::kBool},
                    {"note", Type::kString}});
}

using Factory = std::function<Result<std::unique_ptr<Operator>>()>;

template <class T>
Result<std::unique_ptr<Operator>> as_operator(Result<std::unique_ptr<T>> made) {
  if (!made.ok()) return made.status();
  return std::unique_ptr<Operator>(std::move(made).value());
}

ValidationRule rule(std::string field, std::function<void(ValidationRule&)> set) {
  ValidationRule r;
  r.field = std::move(field);
  set(r);
  return r;
}

std::vector<Factory> candidates() {
  std::vector<Factory> f;
  for (const char* c : {"amount > 0", "country <> 'XX' AND flag", "CAST(note AS bigint) > 3",
                        "id % 2 = 0 OR amount IS NULL", "LENGTH(country) > 1",
                        "key IS NOT NULL AND LENGTH(CAST(key AS string)) < 3", "big > 10",
                        "items IS NULL OR items <> '1'"}) {
    f.push_back([c] { return as_operator(FilterOperator::create({.condition = c})); });
  }
  const std::vector<std::vector<MapField>> maps = {
      {{"big", "amount * 2", {}}},
      {{"country", "UPPER(country)", {}}},
      {{"n", "CAST(note AS double)", {}}},
      {{"id", "id + 1", {}}, {"s", "country || '-' || CAST(id AS string)", {}}},
      {{"note", "CASE WHEN flag THEN 'yes' ELSE note END", {}}, {"len", "LENGTH(note)", {}}},
      {{"items", "COALESCE(items, '[]')", {}}},
  };
  for (const auto& m : maps) {
    f.push_back([m] { return as_operator(MapOperator::create({.fields = m})); });
  }
  f.push_back([] {
    return as_operator(SelectOperator::create(
        {.fields = {{"id", "", {}}, {"country", "", {}}, {"items", "", {}}}}));
  });
  f.push_back([] {
    return as_operator(SelectOperator::create(
        {.fields = {{"x", "amount", {}}, {"id", "", {}}, {"note", "", {}}, {"flag", "", {}}}}));
  });
  f.push_back([] { return as_operator(DropOperator::create({.fields = {{"note", {}}}})); });
  f.push_back([] { return as_operator(DropOperator::create({.fields = {{"flag", {}}}})); });
  f.push_back([] { return as_operator(KeyByOperator::create({.key = "country"})); });
  f.push_back([] { return as_operator(KeyByOperator::create({.key = "id % 3", .as = "id"})); });
  f.push_back([] {
    return as_operator(KeyByOperator::create({.key = "CAST(note AS bigint)", .as = "k2"}));
  });
  f.push_back([] { return as_operator(FlatMapOperator::create({.field = "items"})); });
  f.push_back([] {
    return as_operator(FlatMapOperator::create(
        {.field = "items", .as = "item", .type = Type::kInt, .position = "pos"}));
  });
  f.push_back([] {
    return as_operator(
        FlatMapOperator::create({.field = "items", .type = Type::kDouble, .outer = true}));
  });
  f.push_back([] {
    return as_operator(ValidateOperator::create(
        {.rules = {rule("amount",
                        [](ValidationRule& r) {
                          r.min = 0;
                          r.max = 100;
                        }),
                   rule("id", [](ValidationRule& r) { r.required = true; })}}));
  });
  f.push_back([] {
    return as_operator(ValidateOperator::create({.rules = {rule("country", [](ValidationRule& r) {
                                                   r.allowed = {"FR", "DE", ""};
                                                 })}}));
  });
  f.push_back([] {
    return as_operator(ValidateOperator::create(
        {.rules = {rule("note", [](ValidationRule& r) { r.type = Type::kInt; }),
                   rule("country", [](ValidationRule& r) {
                     r.pattern = "^[A-Z]*$";
                     r.max_length = 3;
                   })}}));
  });
  return f;
}

// Random values, biased toward the edges: NULLs, NaN, empty and odd strings, bad JSON.
class RowMaker {
 public:
  explicit RowMaker(uint64_t seed) : rng_(seed) {}

  std::vector<Value> row() {
    return {pick(0.1) ? N() : I(static_cast<int64_t>(rng_() % 2000) - 1000),
            amount(),
            text({"FR", "DE", "XX", "", "fr", "Straße", "a\"b\\c\n", "ABCDEFGHIJ"}),
            items(),
            pick(0.1) ? N() : B(pick(0.5)),
            text({"12", "abc", "-3", " 7 ", "1.5", "", "9999999999999999999999", "\t"})};
  }

 private:
  bool pick(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  Value amount() {
    if (pick(0.1)) return N();
    if (pick(0.05)) return D(std::nan(""));
    if (pick(0.03)) return D(pick(0.5) ? INFINITY : -INFINITY);
    return D(std::uniform_real_distribution<double>(-50, 150)(rng_));
  }
  Value text(std::initializer_list<const char*> choices) {
    if (pick(0.1)) return N();
    const size_t i = rng_() % choices.size();
    return S(*(choices.begin() + i));
  }
  Value items() {
    if (pick(0.1)) return N();
    if (pick(0.2)) {
      static const char* bad[] = {"[1,", "abc", "", "null", "{\"a\":1}", "[1] 2", "[\"x]", "1"};
      return S(bad[rng_() % std::size(bad)]);
    }
    std::string s = "[";
    const size_t n = rng_() % 5;
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) s += ", ";
      switch (rng_() % 6) {
        case 0:
          s += std::to_string(static_cast<int64_t>(rng_() % 100) - 50);
          break;
        case 1:
          s += "2.5";
          break;
        case 2:
          s += "\"s" + std::to_string(rng_() % 10) + "\"";
          break;
        case 3:
          s += "null";
          break;
        case 4:
          s += "[1, {\"k\": \"v\"}]";
          break;
        default:
          s += "true";
          break;
      }
    }
    s += "]";
    strings_.push_back(s);
    return Value::of_string(strings_.back());
  }

  std::mt19937_64 rng_;
  std::deque<std::string> strings_;
};

struct ChainOutput {
  std::vector<std::string> rows;
  std::vector<std::string> dead;  // "stage|reason|record", sorted
  std::vector<OperatorCounts> counts;
};

void check_rows_match_schema(const Batch& batch) {
  const Schema& schema = batch.schema();
  for (size_t r = 0; r < batch.size(); ++r) {
    for (size_t f = 0; f < schema.size(); ++f) {
      const Value v = batch.get(r, f);
      if (v.is_null()) {
        ASSERT_TRUE(schema.field(f).nullable) << schema.field(f).name << " is NOT NULL";
      } else {
        ASSERT_EQ(v.type(), schema.field(f).type) << schema.field(f).name;
      }
    }
  }
}

// Runs `rows` through fresh clones of `chain` (opened on `schemas`) in batches of `batch_size`,
// reusing one batch object throughout as the engine recycles them.
ChainOutput run_chain(const std::vector<std::unique_ptr<Operator>>& chain,
                      const std::vector<SchemaPtr>& schemas,
                      const std::vector<std::vector<Value>>& rows, size_t batch_size) {
  std::vector<std::unique_ptr<Operator>> ops;
  for (size_t i = 0; i < chain.size(); ++i) {
    ops.push_back(chain[i]->clone());
    ops.back()->set_name("step" + std::to_string(i));
    OpenContext open_ctx;
    auto out = ops.back()->open(schemas[i], open_ctx);
    EXPECT_TRUE(out.ok());
    EXPECT_EQ(**out, *schemas[i + 1]);
  }
  CollectingDeadLetters dead;
  std::vector<std::unique_ptr<OperatorContext>> contexts;
  for (size_t i = 0; i < ops.size(); ++i)
    contexts.push_back(std::make_unique<OperatorContext>(dead));
  ChainOutput out;
  Batch batch(schemas[0]);
  for (size_t base = 0; base < rows.size(); base += batch_size) {
    batch.reset(schemas[0]);
    for (size_t r = base; r < std::min(rows.size(), base + batch_size); ++r) {
      const size_t row = batch.add_row(static_cast<int64_t>(r));
      for (size_t f = 0; f < rows[r].size(); ++f) {
        const Value v = rows[r][f];
        if (v.type() == Type::kString) {
          batch.set_string(row, f, v.as_string());
        } else {
          batch.set(row, f, v);
        }
      }
    }
    for (size_t i = 0; i < ops.size(); ++i) {
      const Status status = ops[i]->process(batch, *contexts[i]);
      EXPECT_TRUE(status.ok()) << status.message();
      EXPECT_EQ(batch.schema(), *schemas[i + 1]);
      check_rows_match_schema(batch);
    }
    for (size_t r = 0; r < batch.size(); ++r) out.rows.push_back(row_to_json(batch, r));
  }
  for (const auto& ctx : contexts) out.counts.push_back(ctx->counts);
  for (const DeadLetter& d : dead.letters) {
    out.dead.push_back(d.stage + "|" + d.reason + "|" + d.record);
  }
  std::sort(out.dead.begin(), out.dead.end());
  return out;
}

TEST(OperatorsFuzzTest, RandomChainsNeverCrashReconcileAndIgnoreBatchSize) {
  const std::vector<Factory> factories = candidates();
  std::mt19937_64 rng(20240611);
  size_t chains_run = 0, total_dead = 0, total_added = 0, total_filtered = 0, total_out = 0;
  std::set<std::string> kinds;
  for (int trial = 0; trial < 150; ++trial) {
    // Build a chain of 1 to 5 operators that open on the schema before them.
    std::vector<std::unique_ptr<Operator>> chain;
    std::vector<SchemaPtr> schemas = {input_schema()};
    const size_t length = 1 + rng() % 5;
    for (int attempt = 0; attempt < 40 && chain.size() < length; ++attempt) {
      auto made = factories[rng() % factories.size()]();
      ASSERT_TRUE(made.ok()) << made.status().message();
      OpenContext open_ctx;
      auto out = (*made)->open(schemas.back(), open_ctx);
      if (!out.ok()) continue;  // e.g. a field dropped earlier: a clean error, tried elsewhere
      schemas.push_back(*out);
      kinds.insert(std::string((*made)->kind()));
      chain.push_back(std::move(made).value());
    }
    RowMaker maker(rng());
    std::vector<std::vector<Value>> rows;
    const size_t n_rows = rng() % 300;
    for (size_t r = 0; r < n_rows; ++r) rows.push_back(maker.row());

    const ChainOutput whole = run_chain(chain, schemas, rows, 1024);
    const ChainOutput ones = run_chain(chain, schemas, rows, 1);
    const ChainOutput sevens = run_chain(chain, schemas, rows, 7);
    ASSERT_EQ(whole.rows, ones.rows) << "trial " << trial;
    ASSERT_EQ(whole.rows, sevens.rows) << "trial " << trial;
    ASSERT_EQ(whole.dead, ones.dead) << "trial " << trial;
    ASSERT_EQ(whole.dead, sevens.dead) << "trial " << trial;
    // Counts reconcile per operator, chain from end to end, and across batch sizes.
    uint64_t expected_in = rows.size();
    for (size_t i = 0; i < chain.size(); ++i) {
      const OperatorCounts& c = whole.counts[i];
      ASSERT_EQ(c.in, expected_in) << chain[i]->kind();
      ASSERT_EQ(c.in + c.added, c.out + c.filtered + c.dead) << chain[i]->kind();
      for (const ChainOutput* other : {&ones, &sevens}) {
        const OperatorCounts& o = other->counts[i];
        ASSERT_EQ(std::tie(o.in, o.out, o.filtered, o.dead, o.added),
                  std::tie(c.in, c.out, c.filtered, c.dead, c.added));
      }
      expected_in = c.out;
      total_dead += c.dead;
      total_added += c.added;
      total_filtered += c.filtered;
    }
    ASSERT_EQ(expected_in, whole.rows.size());
    total_out += whole.rows.size();
    ++chains_run;
  }
  EXPECT_EQ(chains_run, 150u);
  // The generator reaches every outcome.
  EXPECT_GT(total_dead, 0u);
  EXPECT_GT(total_added, 0u);
  EXPECT_GT(total_filtered, 0u);
  EXPECT_GT(total_out, 0u);
  EXPECT_EQ(kinds, (std::set<std::string>{"filter", "map", "select", "drop", "key_by", "flat_map",
                                          "validate"}));
}

}  // namespace
}  // namespace rivulet::stream
