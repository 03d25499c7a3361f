#pragma once
/// Class labels interned to small integers, the original strings kept for output.
///
/// Ids follow the order in which labels are first seen, which is also the order River's
/// dict-based classifiers iterate their classes in (and so how they break ties).
/// Binary learners need to know which label is "true". The rule, in order: an explicit
/// `pos_label`; else a label that reads as true (`1`, `1.0`, `+1`, `true`, `yes`, any case); else,
/// if the label reads as false (`0`, `-1`, `false`, `no`), it is not the positive one; else the
/// first label seen is positive. This reproduces River's datasets (`is_phishing == "1"`,
/// Electricity's `class == "UP"`, Bananas' `1` against `-1`).
/// Thread safety: none; an encoder belongs to one model.
/// ```cpp example
/// rivulet::LabelEncoder labels;
/// auto down = labels.intern("DOWN");
/// auto up = labels.intern("UP");
/// EXPECT_EQ(labels.name(up), "UP");
/// EXPECT_EQ(labels.positive(), down);  // neither reads as true or false: first seen wins
/// rivulet::LabelEncoder binary;
/// binary.intern("0");
/// EXPECT_FALSE(binary.positive().has_value());  // "0" reads as false
/// EXPECT_EQ(binary.positive(), std::nullopt);
/// EXPECT_EQ(binary.intern("1"), 1u);
/// EXPECT_EQ(binary.positive(), 1u);
/// ```

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/state.h"

namespace rivulet {

using ClassId = uint32_t;
/// "No prediction": the model cannot predict yet, or predicted a label not seen so far.
inline constexpr ClassId kNoClass = 0xffffffffu;

class LabelEncoder {
 public:
  LabelEncoder() = default;
  /// Fixes the positive label of binary tasks instead of the default rule.
  explicit LabelEncoder(std::string pos_label) : pos_label_(std::move(pos_label)) {}

  /// The id of `label`, adding it if new.
  ClassId intern(std::string_view label);
  /// The id of `label`, if seen.
  std::optional<ClassId> find(std::string_view label) const;
  /// REQUIRES: id < size().
  const std::string& name(ClassId id) const { return names_[id]; }
  size_t size() const { return names_.size(); }
  /// The positive class of binary tasks, once it has been seen.
  std::optional<ClassId> positive() const {
    return positive_ == kNoClass ? std::nullopt : std::optional<ClassId>(positive_);
  }
  /// The first class seen that is not the positive one (the "false" of a binary task).
  std::optional<ClassId> negative() const {
    return negative_ == kNoClass ? std::nullopt : std::optional<ClassId>(negative_);
  }
  const std::string& pos_label() const { return pos_label_; }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(names_, pos_label_, positive_, negative_);
  }

 private:
  std::vector<std::string> names_;
  std::string pos_label_;
  ClassId positive_ = kNoClass;
  ClassId negative_ = kNoClass;
};

}  // namespace rivulet
