#pragma once
// Steady-state allocation check of the record-level operators, for the counting allocator of
// tests/ml/allocation_test.cc (one binary can replace operator new only once):
//
//   TEST(OperatorAllocationTest, RecordOperatorsAllocateNothingInSteadyState) {
//     for (const auto& [kind, n] :
//          rivulet::stream::test::steady_state_allocations([] { return t_allocations; })) {
//       EXPECT_EQ(n, 0u) << kind;
//     }
//   }
//
// Each operator processes 1024-row batches refilled into one recycled batch object, as the
// engine does; after a warm-up, 100 more batches must not allocate. The inputs raise no dead
// letters (a dead letter allocates its text by design). A `validate` pattern (std::regex)
// allocates per value and is left out.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rivulet/stream/operators.h"

namespace rivulet::stream::test {

inline std::vector<std::pair<std::string, uint64_t>> steady_state_allocations(
    const std::function<uint64_t()>& allocations) {
  auto schema = std::make_shared<const Schema>(*Schema::create({{"id", Type::kInt},
                                                                {"amount", Type::kDouble},
                                                                {"qty", Type::kInt},
                                                                {"country", Type::kString},
                                                                {"merchant", Type::kString},
                                                                {"tags", Type::kString},
                                                                {"qtext", Type::kString}}));
  Batch from(schema);
  static const char* countries[] = {"FR", "DE", "XX"};
  static const char* tags[] = {"[]", "[\"a\", \"bb\"]", "[1, \"x\\\"y\", {\"k\": 2}]"};
  for (size_t r = 0; r < 1024; ++r) {
    const size_t i = from.add_row(static_cast<int64_t>(r));
    from.set(i, 0, Value::of_int(static_cast<int64_t>(r)));
    from.set(i, 1, Value::of_double(static_cast<double>(r) * 1.5));
    from.set(i, 2, Value::of_int(static_cast<int64_t>(1 + r % 4)));
    from.set_string(i, 3, countries[r % 3]);
    from.set_string(i, 4, "merchant-" + std::to_string(r % 97));
    from.set_string(i, 5, tags[r % 3]);
    from.set_string(i, 6, std::to_string(r % 50));
  }

  std::vector<std::pair<std::string, std::unique_ptr<Operator>>> ops;
  ops.emplace_back("filter", FilterOperator::create({.condition = "amount > 100 AND country <> "
                                                                  "'XX' AND CAST(qtext AS bigint) "
                                                                  ">= 0"})
                                 .value());
  ops.emplace_back("map",
                   MapOperator::create(
                       {.fields = {{"total", "amount * qty", {}},
                                   {"risk", "CASE WHEN total > 100 THEN 'high' ELSE 'low' END", {}},
                                   {"country", "LOWER(country) || merchant", {}},
                                   {"n", "CAST(qtext AS bigint)", {}}}})
                       .value());
  ops.emplace_back(
      "select",
      SelectOperator::create({.fields = {{"id", "", {}}, {"x", "amount", {}}, {"country", "", {}}}})
          .value());
  ops.emplace_back("drop", DropOperator::create({.fields = {{"tags", {}}}}).value());
  ops.emplace_back("key_by", KeyByOperator::create({.key = "merchant || '/' || country"}).value());
  ops.emplace_back(
      "flat_map",
      FlatMapOperator::create({.field = "tags", .as = "tag", .position = "pos"}).value());
  ValidationRule amount;
  amount.field = "amount";
  amount.required = true;
  amount.min = 0;
  amount.max = 1e9;
  ValidationRule country;
  country.field = "country";
  country.allowed = {"FR", "DE", "XX"};
  country.max_length = 5;
  ValidationRule qtext;
  qtext.field = "qtext";
  qtext.type = Type::kInt;
  qtext.min = 0;
  ops.emplace_back("validate",
                   ValidateOperator::create({.rules = {amount, country, qtext}}).value());

  std::vector<std::pair<std::string, uint64_t>> result;
  for (auto& [kind, op] : ops) {
    OpenContext open_ctx;
    if (!op->open(schema, open_ctx).ok()) {
      result.emplace_back(kind + " (open failed)", UINT64_MAX);
      continue;
    }
    CollectingDeadLetters dead;
    OperatorContext ctx(dead);
    Batch batch(schema);
    bool ok = true;
    auto step = [&] {
      batch.reset(schema);
      for (size_t r = 0; r < from.size(); ++r) batch.append_row(from, r);
      ok = ok && op->process(batch, ctx).ok();
    };
    for (int i = 0; i < 10; ++i) step();
    const uint64_t before = allocations();
    for (int i = 0; i < 100; ++i) step();
    const uint64_t used = allocations() - before;
    result.emplace_back(kind, ok && dead.letters.empty() ? used : UINT64_MAX);
  }
  return result;
}

}  // namespace rivulet::stream::test
