#include "rivulet/core/schema.h"

#include <algorithm>
#include <utility>

namespace rivulet {
namespace {

char fold(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

Result<Schema> Schema::create(std::vector<SchemaField> fields) {
  Schema schema;
  schema.fields_.reserve(fields.size());
  for (auto& f : fields) RIVULET_RETURN_IF_ERROR(schema.add(std::move(f)));
  return schema;
}

Status Schema::add(SchemaField field) {
  if (field.name.empty()) {
    return Status::invalid_argument("field " + std::to_string(fields_.size() + 1) +
                                    " has an empty name");
  }
  if (field.type == Type::kNull) {
    return Status::invalid_argument("field '" + field.name +
                                    "' has type null (valid: boolean, bigint, double, string)");
  }
  if (index_of(field.name)) {
    return Status::invalid_argument("duplicate field name '" + field.name + "'");
  }
  fields_.push_back(std::move(field));
  return Status::ok_status();
}

std::optional<size_t> Schema::index_of(std::string_view name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return i;
  }
  return std::nullopt;
}

std::vector<std::string_view> Schema::suggest(std::string_view name, size_t max) const {
  std::vector<std::string_view> names;
  names.reserve(fields_.size());
  for (const auto& f : fields_) names.emplace_back(f.name);
  return suggest_names(name, names, max);
}

std::string Schema::unknown_field_message(std::string_view name) const {
  std::string msg = "unknown field '" + std::string(name) + "'";
  const auto suggestions = suggest(name);
  if (!suggestions.empty()) return msg + did_you_mean(suggestions);
  if (fields_.empty()) return msg + " (the schema has no fields)";
  msg += " (fields: ";
  constexpr size_t kListed = 12;
  for (size_t i = 0; i < fields_.size() && i < kListed; ++i) {
    if (i > 0) msg += ", ";
    msg += fields_[i].name;
  }
  if (fields_.size() > kListed)
    msg += ", ... " + std::to_string(fields_.size() - kListed) + " more";
  return msg + ")";
}

std::string Schema::to_string() const {
  std::string out;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i > 0) out += ", ";
    out += fields_[i].name;
    out += ' ';
    out += type_name(fields_[i].type);
    if (!fields_[i].nullable) out += " NOT NULL";
  }
  return out;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  // Three rows of the dynamic programme: i-2, i-1, i.
  const size_t m = b.size();
  std::vector<size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = fold(a[i - 1]) == fold(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) && fold(a[i - 2]) == fold(b[j - 1])) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

std::vector<std::string_view> suggest_names(std::string_view name,
                                            const std::vector<std::string_view>& candidates,
                                            size_t max) {
  std::vector<std::pair<size_t, size_t>> scored;  // (distance, candidate index)
  for (size_t i = 0; i < candidates.size(); ++i) {
    const size_t longer = std::max(name.size(), candidates[i].size());
    const size_t limit = std::max<size_t>(1, longer / 3);
    const size_t d = edit_distance(name, candidates[i]);
    if (d <= limit && candidates[i] != name) scored.emplace_back(d, i);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  // A name that differs only in case is the one meant.
  if (!scored.empty() && scored.front().first == 0) {
    while (scored.size() > 1 && scored.back().first > 0) scored.pop_back();
  }
  std::vector<std::string_view> out;
  for (size_t k = 0; k < scored.size() && k < max; ++k) out.push_back(candidates[scored[k].second]);
  return out;
}

std::string did_you_mean(const std::vector<std::string_view>& suggestions) {
  if (suggestions.empty()) return "";
  std::string out = " (did you mean ";
  for (size_t i = 0; i < suggestions.size(); ++i) {
    if (i > 0) out += i + 1 == suggestions.size() ? " or " : ", ";
    out += "'" + std::string(suggestions[i]) + "'";
  }
  return out + "?)";
}

}  // namespace rivulet
