#include "pipeline/yaml_node.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <limits>

namespace rivulet::pipeline::internal {
namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string join(const std::vector<std::string_view>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  return out;
}

std::string describe_kind(const YAML::Node& n) {
  if (!n || n.IsNull()) return "nothing";
  if (n.IsMap()) return "a map";
  if (n.IsSequence()) return "a list";
  return fmt::format("'{}'", n.Scalar());
}

}  // namespace

std::optional<std::string_view> closest(std::string_view name,
                                        const std::vector<std::string_view>& known) {
  std::optional<std::string_view> best;
  size_t best_d = std::numeric_limits<size_t>::max();
  for (const std::string_view k : known) {
    const size_t d = edit_distance(name, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  if (best && best_d <= std::max<size_t>(2, name.size() / 3)) return best;
  return std::nullopt;
}

Status YamlNode::error(std::string_view message) const {
  std::string where = file_;
  if (has_mark_) where += fmt::format(":{}:{}", mark_.line + 1, mark_.column + 1);
  if (!path_.empty()) return Status::invalid_argument(fmt::format("{}: {}: {}", where, path_, message));
  return Status::invalid_argument(fmt::format("{}: {}", where, message));
}

stream::SourcePos YamlNode::position() const {
  stream::SourcePos pos;
  if (!has_mark_) return pos;
  pos.line = mark_.line + 1;
  pos.column = mark_.column + 1;
  if (text_ && mark_.pos >= 0 && static_cast<size_t>(mark_.pos) < text_->size()) {
    const char c = (*text_)[static_cast<size_t>(mark_.pos)];
    if (c == '"' || c == '\'') {
      pos.column += 1;
    } else if (c == '|' || c == '>') {
      // A block scalar: its text starts on the next line, after the block's indentation.
      size_t p = text_->find('\n', static_cast<size_t>(mark_.pos));
      if (p != std::string::npos) {
        ++p;
        size_t indent = 0;
        while (p + indent < text_->size() && (*text_)[p + indent] == ' ') ++indent;
        pos.line += 1;
        pos.column = static_cast<int>(indent) + 1;
        pos.indent = static_cast<int>(indent);
      }
    }
  }
  return pos;
}

YamlNode YamlNode::child(std::string_view key) const {
  const std::string k(key);
  const YAML::Node& self = node_;
  YAML::Node c = is_map() ? self[k] : YAML::Node();
  YamlNode out(c, file_, path_.empty() ? k : path_ + "." + k, text_);
  if (!out.has_mark_) {
    out.mark_ = mark_;
    out.has_mark_ = has_mark_;
  }
  return out;
}

YamlNode YamlNode::at(size_t i) const {
  const YAML::Node& self = node_;
  YamlNode out(self[i], file_, fmt::format("{}[{}]", path_, i), text_);
  if (!out.has_mark_) {
    out.mark_ = mark_;
    out.has_mark_ = has_mark_;
  }
  return out;
}

std::vector<std::string> YamlNode::keys() const {
  std::vector<std::string> out;
  if (!is_map()) return out;
  for (const auto& kv : node_) out.push_back(kv.first.as<std::string>());
  return out;
}

Status YamlNode::check_keys(const std::vector<std::string_view>& known) const {
  if (!is_map()) return {};
  for (const auto& kv : node_) {
    const std::string key = kv.first.as<std::string>();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    YamlNode at_key(kv.first, file_, path_, text_);
    if (!at_key.has_mark_) {
      at_key.mark_ = mark_;
      at_key.has_mark_ = has_mark_;
    }
    const auto suggestion = closest(key, known);
    return at_key.error(fmt::format("unknown key '{}'{}; valid keys: {}", key,
                                    suggestion ? fmt::format(" (did you mean '{}'?)", *suggestion)
                                               : std::string(),
                                    join(known)));
  }
  return {};
}

Status YamlNode::expect_map(std::string_view what) const {
  if (is_map()) return {};
  return error(fmt::format("expected {} (a map of keys), got {}", what, describe_kind(node_)));
}

Result<std::string> YamlNode::as_string() const {
  if (!node_ || node_.IsNull()) return error("expected a value, got nothing");
  if (!node_.IsScalar()) return error(fmt::format("expected a text value, got {}", describe_kind(node_)));
  return node_.Scalar();
}

Result<std::string> YamlNode::string(std::string_view key, std::string fallback) const {
  const YamlNode c = child(key);
  if (c.is_null()) return fallback;
  return c.as_string();
}

Result<std::optional<std::string>> YamlNode::optional_string(std::string_view key) const {
  const YamlNode c = child(key);
  if (c.is_null()) return std::optional<std::string>();
  RIVULET_ASSIGN_OR_RETURN(std::string s, c.as_string());
  return std::optional<std::string>(std::move(s));
}

Result<int64_t> YamlNode::integer(std::string_view key, int64_t fallback, int64_t min,
                                  int64_t max) const {
  const YamlNode c = child(key);
  if (c.is_null()) return fallback;
  RIVULET_ASSIGN_OR_RETURN(std::string s, c.as_string());
  int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) {
    return c.error(fmt::format("expected an integer, got '{}'", s));
  }
  if (v < min || v > max) {
    return c.error(fmt::format("{} is out of range [{}, {}]", v, min, max));
  }
  return v;
}

Result<double> YamlNode::number(std::string_view key, double fallback) const {
  const YamlNode c = child(key);
  if (c.is_null()) return fallback;
  RIVULET_ASSIGN_OR_RETURN(std::string s, c.as_string());
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) {
    return c.error(fmt::format("expected a number, got '{}'", s));
  }
  return v;
}

Result<bool> YamlNode::boolean(std::string_view key, bool fallback) const {
  const YamlNode c = child(key);
  if (c.is_null()) return fallback;
  RIVULET_ASSIGN_OR_RETURN(std::string s, c.as_string());
  if (s == "true" || s == "True" || s == "yes") return true;
  if (s == "false" || s == "False" || s == "no") return false;
  return c.error(fmt::format("expected true or false, got '{}'", s));
}

Result<std::vector<std::string>> YamlNode::strings(std::string_view key) const {
  const YamlNode c = child(key);
  std::vector<std::string> out;
  if (c.is_null()) return out;
  if (c.is_scalar()) {
    out.push_back(c.raw().Scalar());
    return out;
  }
  if (!c.is_sequence()) return c.error("expected a list of names");
  for (size_t i = 0; i < c.size(); ++i) {
    RIVULET_ASSIGN_OR_RETURN(std::string s, c.at(i).as_string());
    out.push_back(std::move(s));
  }
  return out;
}

Result<YamlNode> parse_yaml(std::string_view text, const std::string& file) {
  auto shared = std::make_shared<const std::string>(text);
  try {
    YAML::Node root = YAML::Load(*shared);
    return YamlNode(root, file, "", shared);
  } catch (const YAML::Exception& e) {
    return Status::invalid_argument(fmt::format("{}:{}:{}: {}", file, e.mark.line + 1,
                                                e.mark.column + 1, e.msg));
  }
}

Status apply_override(YAML::Node& root, std::string_view assignment) {
  const size_t eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Status::invalid_argument(fmt::format(
        "--set '{}': expected path.to.field=value, e.g. settings.parallelism=4", assignment));
  }
  const std::string path(assignment.substr(0, eq));
  const std::string value(assignment.substr(eq + 1));
  YAML::Node parsed;
  try {
    parsed = YAML::Load(value);
  } catch (const YAML::Exception& e) {
    return Status::invalid_argument(fmt::format("--set '{}': the value is not valid YAML: {}",
                                                assignment, e.msg));
  }
  if (!root || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  try {
    // yaml-cpp nodes are references: walking with copies edits the document.
    std::vector<YAML::Node> chain{root};
    for (size_t i = 0; i < parts.size(); ++i) {
      YAML::Node cur = chain.back();
      const std::string& part = parts[i];
      if (part.empty()) {
        return Status::invalid_argument(fmt::format("--set '{}': empty path element", assignment));
      }
      const bool last = i + 1 == parts.size();
      if (cur.IsSequence()) {
        size_t index = 0;
        const auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
        if (ec != std::errc() || p != part.data() + part.size() || index >= cur.size()) {
          return Status::invalid_argument(fmt::format(
              "--set '{}': '{}' is a list of {} items; '{}' is not an index of it", assignment,
              fmt::format("{}", fmt::join(parts.begin(), parts.begin() + static_cast<long>(i), ".")),
              cur.size(), part));
        }
        if (last) {
          cur[index] = parsed;
        } else {
          chain.push_back(cur[index]);
        }
      } else {
        if (!cur.IsMap() && !cur.IsNull()) {
          return Status::invalid_argument(fmt::format(
              "--set '{}': '{}' is a value, not a map", assignment,
              fmt::format("{}", fmt::join(parts.begin(), parts.begin() + static_cast<long>(i), "."))));
        }
        if (last) {
          cur[part] = parsed;
        } else {
          if (!cur[part] || cur[part].IsNull()) cur[part] = YAML::Node(YAML::NodeType::Map);
          chain.push_back(cur[part]);
        }
      }
    }
  } catch (const YAML::Exception& e) {
    return Status::invalid_argument(fmt::format("--set '{}': {}", assignment, e.msg));
  }
  return {};
}

}  // namespace rivulet::pipeline::internal
