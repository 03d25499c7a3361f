#include "rivulet/core/labels.h"

#include <algorithm>
#include <cctype>

namespace rivulet {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool reads_true(std::string_view s) {
  const std::string l = lower(s);
  return l == "1" || l == "1.0" || l == "+1" || l == "true" || l == "yes";
}

bool reads_false(std::string_view s) {
  const std::string l = lower(s);
  return l == "0" || l == "0.0" || l == "-1" || l == "-1.0" || l == "false" || l == "no";
}

}  // namespace

ClassId LabelEncoder::intern(std::string_view label) {
  for (ClassId i = 0; i < names_.size(); ++i) {
    if (names_[i] == label) return i;
  }
  const auto id = static_cast<ClassId>(names_.size());
  names_.emplace_back(label);
  bool is_positive;
  if (!pos_label_.empty()) {
    is_positive = label == pos_label_;
  } else if (reads_true(label)) {
    is_positive = positive_ == kNoClass || !reads_true(names_[positive_]);
  } else if (reads_false(label)) {
    is_positive = false;
  } else {
    is_positive = positive_ == kNoClass;
  }
  if (is_positive) {
    // A label that reads as true displaces a first-seen positive that did not.
    if (positive_ != kNoClass && negative_ == kNoClass) negative_ = positive_;
    positive_ = id;
  } else if (negative_ == kNoClass) {
    negative_ = id;
  }
  return id;
}

std::optional<ClassId> LabelEncoder::find(std::string_view label) const {
  for (ClassId i = 0; i < names_.size(); ++i) {
    if (names_[i] == label) return i;
  }
  return std::nullopt;
}

}  // namespace rivulet
