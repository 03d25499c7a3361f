#pragma once
/// River's memory management of Hoeffding trees (Kirkby 2007, as River 0.12.1's
/// `_estimate_model_size` and `_enforce_size_limit`), shared by the classification and
/// regression trees. Every `memory_estimate_period` of training weight the tree measures its
/// leaves (rivulet counts the bytes its own structures hold, where River asks Python for object
/// sizes): the mean size of an active and of an inactive leaf, and the ratio of the whole tree's
/// size to what the leaves account for. Over `max_size` MiB, or after every split, the leaves
/// are ranked by promise (how far a leaf is from pure) and the least promising are deactivated
/// (their splitters dropped) so that the estimate fits; inactive leaves that fit again, and are
/// above `max_depth`, are reactivated. With `stop_mem_management`, reaching the limit (or having
/// any inactive leaf) stops the tree's growth instead.
/// Thread safety: none.
/// ```cpp example
/// rivulet::ml::tree::SizeLimit limit;
/// limit.set_max_size_mib(100.0);
/// EXPECT_DOUBLE_EQ(limit.max_byte_size(), 100.0 * 1048576.0);
/// EXPECT_TRUE(limit.growth_allowed());
/// ```

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "rivulet/core/state.h"

namespace rivulet::ml::tree {

/// A leaf as the memory manager sees it.
struct LeafStatus {
  uint32_t id = 0;       ///< the tree's handle for the leaf
  double promise = 0.0;  ///< River's `calculate_promise`: low for nearly pure leaves
  bool active = true;
  double depth = 0.0;
};

class SizeLimit {
 public:
  void set_max_size_mib(double mib) { max_byte_size_ = mib * 1048576.0; }
  double max_byte_size() const { return max_byte_size_; }
  bool growth_allowed() const { return growth_allowed_; }
  double active_leaf_size_estimate() const { return active_estimate_; }
  double inactive_leaf_size_estimate() const { return inactive_estimate_; }
  double overhead_fraction() const { return overhead_; }

  /// River's `_estimate_model_size`: `active_bytes` and `inactive_bytes` are the summed sizes
  /// of the active and inactive leaves, `tree_bytes` the size of the whole tree. Returns true
  /// when the tree is over the limit (the caller then calls enforce()).
  bool estimate(double active_bytes, double inactive_bytes, double tree_bytes, size_t n_active,
                size_t n_inactive) {
    if (active_bytes > 0) active_estimate_ = active_bytes / static_cast<double>(n_active);
    if (inactive_bytes > 0) inactive_estimate_ = inactive_bytes / static_cast<double>(n_inactive);
    const double estimated = static_cast<double>(n_active) * active_estimate_ +
                             static_cast<double>(n_inactive) * inactive_estimate_;
    overhead_ = tree_bytes / estimated;
    return tree_bytes > max_byte_size_;
  }

  /// True when enforce() over `n_leaves` leaves, `n_inactive` of them inactive, would change
  /// nothing: no leaf is inactive and all of them fit active under the limit. The tree can then
  /// skip listing and rating its leaves, which after every split attempt of a forest's trees
  /// is most of the cost of the attempt.
  bool enforce_changes_nothing(size_t n_leaves, size_t n_inactive,
                               bool stop_mem_management) const {
    if (n_inactive > 0) return false;
    if (stop_mem_management) return !(overhead_ * active_estimate_ > max_byte_size_);
    if (n_leaves == 0) return true;
    // The size with m active leaves is linear in m: m = 1 .. n_leaves all fit when both ends do.
    const auto size = [&](size_t m) {
      return (static_cast<double>(m) * active_estimate_ +
              static_cast<double>(n_leaves - m) * inactive_estimate_) *
             overhead_;
    };
    return !(size(1) > max_byte_size_) && !(size(n_leaves) > max_byte_size_);
  }

  /// River's `_enforce_size_limit`. `leaves` are in left-to-right order; `set_active(id, on)`
  /// activates or deactivates a leaf. Updates the counters as River does.
  void enforce(std::vector<LeafStatus>& leaves, size_t& n_active, size_t& n_inactive,
               double max_depth, bool stop_mem_management,
               const std::function<void(uint32_t, bool)>& set_active) {
    const double tree_size =
        overhead_ * (active_estimate_ + static_cast<double>(n_inactive) * inactive_estimate_);
    if ((n_inactive > 0 || tree_size > max_byte_size_) && stop_mem_management) {
      growth_allowed_ = false;
      return;
    }
    size_t max_active = 0;
    while (max_active < leaves.size()) {
      ++max_active;
      const double size = (static_cast<double>(max_active) * active_estimate_ +
                           static_cast<double>(leaves.size() - max_active) * inactive_estimate_) *
                          overhead_;
      if (size > max_byte_size_) {
        --max_active;
        break;
      }
    }
    const size_t cutoff = leaves.size() - max_active;
    // River ranks the leaves by promise and deactivates the `cutoff` least promising. When no
    // leaf is to be deactivated (the common case: after every split, far below the limit), the
    // order does not matter: every inactive leaf above max_depth is reactivated. The sort is
    // then skipped, which is most of the cost of a split in a forest.
    if (cutoff > 0) {
      // A stable sort by promise (Python's list.sort) that allocates nothing once its buffers
      // have grown: std::sort over the positions, ties broken by position.
      order_.resize(leaves.size());
      for (uint32_t i = 0; i < order_.size(); ++i) order_[i] = i;
      std::sort(order_.begin(), order_.end(), [&leaves](uint32_t a, uint32_t b) {
        return leaves[a].promise < leaves[b].promise ||
               (!(leaves[b].promise < leaves[a].promise) && a < b);
      });
      sorted_.resize(leaves.size());
      for (size_t i = 0; i < order_.size(); ++i) sorted_[i] = leaves[order_[i]];
      leaves.swap(sorted_);
    }
    for (size_t i = 0; i < cutoff; ++i) {
      if (leaves[i].active) {
        set_active(leaves[i].id, false);
        ++n_inactive;
        --n_active;
      }
    }
    for (size_t i = cutoff; i < leaves.size(); ++i) {
      if (!leaves[i].active && leaves[i].depth < max_depth) {
        set_active(leaves[i].id, true);
        ++n_active;
        --n_inactive;
      }
    }
  }

  void reset() {
    active_estimate_ = 0.0;
    inactive_estimate_ = 0.0;
    overhead_ = 1.0;
    growth_allowed_ = true;
  }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(active_estimate_, inactive_estimate_, overhead_, growth_allowed_);
  }

 private:
  double max_byte_size_ = 100.0 * 1048576.0;
  double active_estimate_ = 0.0;
  double inactive_estimate_ = 0.0;
  double overhead_ = 1.0;
  bool growth_allowed_ = true;
  std::vector<uint32_t> order_;     // scratch of enforce()
  std::vector<LeafStatus> sorted_;  // scratch of enforce()
};

}  // namespace rivulet::ml::tree
