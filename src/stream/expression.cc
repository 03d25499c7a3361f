#include "rivulet/stream/expression.h"

#include <algorithm>
#include <array>

#include "stream/expression_internal.h"

namespace rivulet::stream {

using internal::kChunk;

namespace {

constexpr std::array<uint16_t, kChunk> make_identity() {
  std::array<uint16_t, kChunk> a{};
  for (size_t i = 0; i < kChunk; ++i) a[i] = static_cast<uint16_t>(i);
  return a;
}
constexpr std::array<uint16_t, kChunk> kIdentity = make_identity();

}  // namespace

// The evaluator's memory: one output column per computed node, selection buffers, the per-row
// error slots of a chunk, and an arena for the intermediate strings of filters. All sized when
// the expression is compiled, so evaluation does not allocate (except arena chunks).
struct Expression::Scratch {
  explicit Scratch(const internal::Program& p)
      : columns(std::max<size_t>(1, p.n_slots) * kChunk),
        sels(std::max<size_t>(1, p.n_sels) * kChunk),
        views(std::max<size_t>(1, p.max_kids)),
        err_node(kChunk, -1),
        err_value(kChunk),
        filter_sel(kChunk),
        eval(p, columns.data(), sels.data(), views.data(), kChunk, err_node.data(),
             err_value.data()) {}

  std::vector<Value> columns;
  std::vector<uint16_t> sels;
  std::vector<internal::View> views;
  std::vector<int32_t> err_node;
  std::vector<Value> err_value;
  std::vector<uint16_t> filter_sel;
  internal::Evaluator eval;
  Arena arena;
};

Expression::Expression(std::shared_ptr<const internal::Program> program)
    : program_(std::move(program)), scratch_(std::make_unique<Scratch>(*program_)) {}

Expression::Expression(const Expression& other)
    : program_(other.program_), scratch_(std::make_unique<Scratch>(*program_)) {}

Expression& Expression::operator=(const Expression& other) {
  if (this != &other) {
    program_ = other.program_;
    scratch_ = std::make_unique<Scratch>(*program_);
  }
  return *this;
}

Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(Expression&&) noexcept = default;
Expression::~Expression() = default;

Result<Expression> Expression::compile(std::string_view text, const Schema& schema,
                                       SourcePos origin) {
  RIVULET_ASSIGN_OR_RETURN(internal::Program * raw,
                           internal::compile_program(text, schema, origin));
  return Expression(std::shared_ptr<const internal::Program>(raw));
}

Result<Expression> Expression::compile_predicate(std::string_view text, const Schema& schema,
                                                 SourcePos origin) {
  RIVULET_ASSIGN_OR_RETURN(Expression e, compile(text, schema, origin));
  const Type t = e.result_type();
  if (t != Type::kBool && t != Type::kNull) {
    const auto& prog = *e.program_;
    std::string hint =
        is_numeric(t) ? " (compare it, e.g. x > 0)" : " (compare it, e.g. x = 'yes')";
    return Status::invalid_argument(prog.where(prog.node(prog.root).pos) +
                                    ": a filter condition must be boolean, got " +
                                    std::string(type_name(t)) + hint);
  }
  return e;
}

Type Expression::result_type() const { return program_->node(program_->root).type; }
bool Expression::nullable() const { return program_->node(program_->root).nullable; }
bool Expression::is_constant() const {
  return program_->node(program_->root).op == internal::Op::kLiteral;
}
std::string_view Expression::text() const { return program_->text; }
size_t Expression::n_fields() const { return program_->n_fields; }

std::vector<size_t> Expression::fields_used() const {
  const auto& prog = *program_;
  std::vector<uint8_t> used(prog.n_fields, 0), seen(prog.nodes.size(), 0);
  std::vector<uint32_t> stack{prog.root};
  while (!stack.empty()) {
    const uint32_t id = stack.back();
    stack.pop_back();
    if (seen[id]) continue;
    seen[id] = 1;
    const auto& nd = prog.node(id);
    if (nd.op == internal::Op::kField) used[nd.field] = 1;
    for (uint32_t i = 0; i < nd.count; ++i) stack.push_back(prog.kid(nd, i));
  }
  std::vector<size_t> out;
  for (size_t f = 0; f < used.size(); ++f) {
    if (used[f]) out.push_back(f);
  }
  return out;
}

std::string Expression::explain() const { return internal::explain(*program_, program_->root); }

void Expression::run_chunk(const Value* rows, size_t n, size_t row_stride, Arena& arena,
                           size_t first_row, std::vector<EvalError>* errors, EvalError* error) {
  internal::Evaluator& ev = scratch_->eval;
  ev.bind(rows, &arena, row_stride);
  ev.run(program_->root, kIdentity.data(), n);
  if (!ev.any_error()) return;
  // Rows whose CAST failed: their result is NULL and the error is reported.
  const auto& root = program_->node(program_->root);
  Value* out = scratch_->columns.data() + root.slot * kChunk;
  report_errors(n, first_row, errors, error, [&](size_t r) {
    if (!internal::is_leaf(root.op)) out[r] = Value();
  });
}

template <class OnError>
void Expression::report_errors(size_t n, size_t first_row, std::vector<EvalError>* errors,
                               EvalError* error, OnError on_error) {
  const auto& prog = *program_;
  for (size_t r = 0; r < n; ++r) {
    int32_t& node = scratch_->err_node[r];
    if (node < 0) continue;
    on_error(r);
    if (errors != nullptr || error != nullptr) {
      const auto& failed = prog.node(static_cast<uint32_t>(node));
      EvalError e{first_row + r, prog.where(failed.pos) + ": " +
                                     internal::cast_error_message(scratch_->err_value[r],
                                                                  static_cast<Type>(failed.aux))};
      if (errors != nullptr) errors->push_back(e);
      if (error != nullptr) *error = std::move(e);
    }
    node = -1;
  }
  scratch_->eval.clear_errors();
}

Value Expression::eval(const Value* row, Arena& arena, EvalError* error) {
  run_chunk(row, 1, program_->n_fields, arena, 0, nullptr, error);
  return scratch_->eval.view(program_->root)[0];
}

void Expression::eval_rows(const Value* rows, size_t n_rows, Value* out, Arena& arena,
                           std::vector<EvalError>* errors) {
  eval_rows_strided(rows, n_rows, program_->n_fields, out, arena, errors);
}

void Expression::eval_rows_strided(const Value* rows, size_t n_rows, size_t row_stride, Value* out,
                                   Arena& arena, std::vector<EvalError>* errors) {
  RIVULET_DCHECK(row_stride >= program_->n_fields);
  const size_t stride = row_stride;
  for (size_t base = 0; base < n_rows; base += kChunk) {
    const size_t n = std::min(kChunk, n_rows - base);
    run_chunk(rows + base * stride, n, stride, arena, base, errors, nullptr);
    const internal::View v = scratch_->eval.view(program_->root);
    for (size_t r = 0; r < n; ++r) out[base + r] = v[r];
  }
}

void Expression::eval_batch(const Batch& batch, std::span<Value> out, Arena& arena,
                            std::vector<EvalError>* errors) {
  RIVULET_DCHECK(batch.n_fields() == n_fields() && out.size() >= batch.size());
  eval_rows(batch.values().data(), batch.size(), out.data(), arena, errors);
}

size_t Expression::filter_rows(const Value* rows, size_t n_rows, uint8_t* mask,
                               std::vector<EvalError>* errors) {
  // Condition by condition of the root's AND chain, on the rows still selected: a row leaves as
  // soon as one condition is not TRUE, and the later conditions are not evaluated for it.
  const size_t stride = program_->n_fields;
  Arena& arena = scratch_->arena;
  internal::Evaluator& ev = scratch_->eval;
  uint16_t* sel = scratch_->filter_sel.data();
  size_t selected = 0;
  for (size_t base = 0; base < n_rows; base += kChunk) {
    arena.clear();
    const size_t n = std::min(kChunk, n_rows - base);
    ev.bind(rows + base * stride, &arena);
    std::copy_n(kIdentity.data(), n, sel);
    size_t m = n;
    for (const uint32_t c : program_->conjuncts) {
      if (m == 0) break;
      ev.run(c, sel, m);
      const internal::View v = ev.view(c);
      size_t kept = 0;
      for (size_t k = 0; k < m; ++k) {
        const uint16_t r = sel[k];
        const Value x = v[r];
        sel[kept] = r;
        kept += x.type() == Type::kBool && x.as_bool() ? 1 : 0;
      }
      m = kept;
    }
    uint8_t* chunk_mask = mask + base;
    std::fill_n(chunk_mask, n, uint8_t{0});
    for (size_t k = 0; k < m; ++k) chunk_mask[sel[k]] = 1;
    selected += m;
    if (ev.any_error()) {
      report_errors(n, base, errors, nullptr, [&](size_t r) {
        selected -= chunk_mask[r];
        chunk_mask[r] = 0;
      });
    }
  }
  return selected;
}

size_t Expression::filter_batch(const Batch& batch, std::span<uint8_t> mask,
                                std::vector<EvalError>* errors) {
  RIVULET_DCHECK(batch.n_fields() == n_fields() && mask.size() >= batch.size());
  return filter_rows(batch.values().data(), batch.size(), mask.data(), errors);
}

}  // namespace rivulet::stream
