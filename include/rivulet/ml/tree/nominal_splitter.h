#pragma once
/// River's `tree.splitter.NominalSplitterClassif` (0.12.1), the observer of a nominal attribute
/// in a classification leaf: the weight of each (class, category) pair in River's dict order
/// (classes in the order met, categories within a class in the order met).
///
/// Split candidates: the multiway split (one branch per category, categories sorted as River
/// sorts the values) unless only binary splits are allowed, then every binary split
/// "category == c" against the rest (categories in sorted order); a binary split replaces the
/// best so far only with a strictly higher merit.
///
/// River's `cond_proba` reads through defaultdicts and so adds a (class, category) entry of
/// weight 0 when it reads one that is missing; such entries become zero-weight classes of the
/// children's statistics when the leaf splits. `touch` reproduces that effect; the classifier
/// calls it where River's naive Bayes reads the observer while learning.
/// Thread safety: none.
/// ```cpp example
/// using namespace rivulet::ml::tree;
/// NominalClassObserver obs;
/// obs.update(/*category=*/0, /*class=*/0, 1.0);
/// obs.update(1, 1, 3.0);
/// obs.update(0, 1, 1.0);
/// EXPECT_DOUBLE_EQ(obs.cond_proba(1, 1), 0.75);
/// EXPECT_DOUBLE_EQ(obs.cond_proba(1, 0), 0.0);
/// ```

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "rivulet/core/state.h"
#include "rivulet/ml/tree/nominal.h"
#include "rivulet/ml/tree/split_criterion.h"

namespace rivulet::ml::tree {

class NominalClassObserver {
 public:
  /// The best split of this attribute; `merit` is -inf when there is none.
  struct Split {
    double merit = -INFINITY;
    bool multiway = false;
    uint32_t category = kNone;                    ///< binary: the category that goes left
    std::vector<uint32_t> categories;             ///< multiway: the category of each branch
    std::vector<std::vector<ClassWeight>> dists;  ///< the class weights of each branch
  };

  void update(uint32_t category, ClassId cls, double w);
  /// River's `cond_proba`: weight of (class, category) over the class's weight; 0 when unknown.
  double cond_proba(uint32_t category, ClassId cls) const;
  /// Adds the zero-weight entry that River's `cond_proba(category, cls)` leaves behind.
  void touch(uint32_t category, ClassId cls);
  Split best_split(const SplitCriterion& criterion, ClassDistView pre, bool binary_only,
                   const AttributeMap& attributes, AttributeId attribute) const;
  bool empty() const { return classes_.empty(); }
  size_t bytes() const;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(total_, values_, classes_);
  }
  /// Asks the CPU to bring what serialize() reads into its cache, in two stages: 0, the
  /// vectors' elements; 1 (once those are in the cache), each class's counts. A forest's
  /// snapshot walks thousands of observers spread over the heap, waiting on each load in turn.
  void prefetch(int stage) const {
    if (stage == 0) {
      __builtin_prefetch(values_.data());
      __builtin_prefetch(classes_.data());
      return;
    }
    for (const ClassEntry& c : classes_) {
      const auto* counts = reinterpret_cast<const char*>(c.by_category.data());
      __builtin_prefetch(counts);
      __builtin_prefetch(counts + 64);
    }
  }

 private:
  struct ClassEntry {
    ClassId cls = 0;
    std::vector<std::pair<uint32_t, double>> by_category;
    template <class Archive>
    void serialize(Archive& ar) {
      ar(cls, by_category);
    }
  };
  ClassEntry* find_class(ClassId cls);
  const ClassEntry* find_class(ClassId cls) const;

  double total_ = 0.0;
  std::vector<uint32_t> values_;  // categories updated (River's `_att_values`)
  std::vector<ClassEntry> classes_;
};

}  // namespace rivulet::ml::tree
