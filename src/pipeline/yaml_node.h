#pragma once
// Reading a pipeline file's YAML with errors that name the file, the line, the column and the
// path of the field (`pipeline.yaml:12:7: steps[2].evaluate.model: ...`), and say what would be
// valid: unknown keys get did-you-mean suggestions and the list of known ones, wrong types name
// the expected type. A thin layer over yaml-cpp's nodes, which keep their marks.
// Thread safety: none (values).

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/status.h"
#include "rivulet/stream/source_pos.h"

namespace rivulet::pipeline::internal {

class YamlNode {
 public:
  YamlNode(YAML::Node node, std::string file, std::string path,
           std::shared_ptr<const std::string> text = nullptr)
      : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)),
        text_(std::move(text)) {
    if (node_ && node_.Mark().line >= 0) {
      mark_ = node_.Mark();
      has_mark_ = true;
    }
  }
  YamlNode(const YamlNode&) = default;
  YamlNode(YamlNode&&) = default;
  // No assignment: yaml-cpp's YAML::Node assignment writes the value into the node it refers
  // to (changing the document, and throwing on a missing key's node) instead of rebinding.
  YamlNode& operator=(const YamlNode&) = delete;
  YamlNode& operator=(YamlNode&&) = delete;

  const YAML::Node& raw() const { return node_; }
  /// The same file and path over another node (an edited document).
  YamlNode replaced(YAML::Node node) const { return YamlNode(std::move(node), file_, path_, text_); }
  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }
  // (An absent key gives an invalid yaml-cpp node, whose accessors throw: check it first.)
  bool is_map() const { return node_ && node_.IsMap(); }
  bool is_sequence() const { return node_ && node_.IsSequence(); }
  bool is_scalar() const { return node_ && node_.IsScalar(); }
  bool is_null() const { return !node_ || node_.IsNull(); }
  size_t size() const { return node_ ? node_.size() : 0; }

  /// "file:line:column: path: message" (line and column 1-based).
  Status error(std::string_view message) const;
  /// Where the node's text starts (for expressions): line and column 1-based, plus one column
  /// for a quoted scalar's quote; a block scalar (| or >) starts on the next line.
  stream::SourcePos position() const;

  /// The value under `key` of a map (a null node when absent).
  YamlNode child(std::string_view key) const;
  /// Element i of a sequence.
  YamlNode at(size_t i) const;
  bool has(std::string_view key) const {
    const YAML::Node& self = node_;
    return is_map() && self[std::string(key)];
  }
  /// The keys of a map, in file order.
  std::vector<std::string> keys() const;

  /// Errors unless every key is one of `known`; the message suggests the closest and lists all.
  Status check_keys(const std::vector<std::string_view>& known) const;
  /// Errors unless the node is a map (with `what` describing it).
  Status expect_map(std::string_view what) const;

  // Typed values of a map's keys: the default when absent, an error when of another type.
  Result<std::string> string(std::string_view key, std::string fallback) const;
  Result<std::optional<std::string>> optional_string(std::string_view key) const;
  Result<int64_t> integer(std::string_view key, int64_t fallback, int64_t min, int64_t max) const;
  Result<double> number(std::string_view key, double fallback) const;
  Result<bool> boolean(std::string_view key, bool fallback) const;
  /// A list of strings; a single string counts as a list of one.
  Result<std::vector<std::string>> strings(std::string_view key) const;

  /// This node as a scalar string (errors for maps and sequences).
  Result<std::string> as_string() const;

 private:
  YAML::Node node_;
  std::string file_;
  std::string path_;
  std::shared_ptr<const std::string> text_;  // the file's text (for scalar positions)
  // The node's mark, or the nearest ancestor's when it has none (an absent key).
  YAML::Mark mark_;
  bool has_mark_ = false;
};

/// Parses YAML text; a syntax error names the file, line and column.
Result<YamlNode> parse_yaml(std::string_view text, const std::string& file);

/// Applies `--set a.b.2.c=value` to the document: creates missing maps, indexes sequences by
/// number, parses the value as YAML (so `4` is a number and `[a, b]` a list). Errors name the
/// override.
Status apply_override(YAML::Node& root, std::string_view assignment);

/// The closest of `known` to `name` when it is close enough (edit distance), for did-you-mean.
std::optional<std::string_view> closest(std::string_view name,
                                        const std::vector<std::string_view>& known);

}  // namespace rivulet::pipeline::internal
