#include "rivulet/ml/tree/ebst_splitter.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace rivulet::ml {
namespace {
constexpr uint8_t kDescend = 0;
constexpr uint8_t kProcess = 1;
constexpr uint8_t kAddAux = 2;
constexpr uint8_t kSubAux = 3;

constexpr uint8_t kPhaseLeft = 0;
constexpr uint8_t kPhaseRight = 1;
constexpr uint8_t kPhaseEval = 2;
}  // namespace

namespace {
constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
}  // namespace

double python_round(double x, int digits) {
  if (!std::isfinite(x) || x == 0.0 || digits < 0 || digits > 22) return x;
  const double scale = kPow10[digits];  // exact
  const double y = x * scale;
  if (std::fabs(y) >= 4503599627370496.0) return x;  // 2^52: already whole at this scale
  const double r = std::nearbyint(y);
  // x * scale is within half an ulp of the exact product: unless that is near a half, the
  // rounded product rounds like the exact decimal value, and r / scale is the nearest double.
  if (std::fabs(std::fabs(y - r) - 0.5) > std::fabs(y) * 0x1p-49 + 0x1p-1000) return r / scale;
  // Near a tie: round the exact decimal expansion half-even as CPython's dtoa does (glibc's
  // printf is exact), then read it back.
  char buf[400];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, x);
  return std::strtod(buf, nullptr);
}

int32_t EbstSplitter::new_node(double x, double y, double w) {
  Node node;
  node.value = x;
  node.stats.update(y, w);
  if (!free_.empty()) {
    const int32_t i = free_.back();
    free_.pop_back();
    nodes_[static_cast<size_t>(i)] = node;
    return i;
  }
  const size_t capacity = nodes_.capacity();
  // A new splitter starts with room for a few values: one allocation instead of a doubling at
  // each of its first values.
  if (capacity == 0) nodes_.reserve(16);
  nodes_.push_back(node);
  if (nodes_.capacity() != capacity || capacity == 0) {
    // The arena grew: size the free list and the traversal stacks for it now, so that pruning
    // and scoring never allocate on their own (a stack holds at most a few entries per level).
    free_.reserve(nodes_.capacity());
    frames_.reserve(nodes_.capacity() + 1);
    ops_.reserve(4 * nodes_.capacity() + 4);
  }
  return static_cast<int32_t>(nodes_.size() - 1);
}

void EbstSplitter::update(double x, double y, double w) {
  if (digits_ >= 0) x = python_round(x, digits_);
  if (root_ < 0) {
    root_ = new_node(x, y, w);
    return;
  }
  // River's insert_value: a node's statistics cover the values at most its own that reached it.
  int32_t current = root_;
  int32_t antecedent = -1;
  bool is_right = false;
  while (current >= 0) {
    antecedent = current;
    Node& node = nodes_[static_cast<size_t>(current)];
    if (x == node.value) {
      node.stats.update(y, w);
      return;
    }
    if (x < node.value) {
      node.stats.update(y, w);
      current = node.left;
      is_right = false;
    } else {
      current = node.right;
      is_right = true;
    }
  }
  const int32_t created = new_node(x, y, w);  // may move nodes_
  Node& parent = nodes_[static_cast<size_t>(antecedent)];
  if (is_right) {
    parent.right = created;
  } else {
    parent.left = created;
  }
}

bool EbstSplitter::best_split(const VarianceReduction& criterion, const VarianceStats& pre,
                              Split& out) const {
  out = Split{};
  if (root_ < 0) return false;
  // In order: left subtree, the node, then the right subtree with the node's statistics added
  // to the running left part (and removed again afterwards), as River's recursion.
  VarianceStats aux;
  ops_.clear();
  ops_.push_back({root_, kDescend});
  while (!ops_.empty()) {
    const Op op = ops_.back();
    ops_.pop_back();
    const Node& node = nodes_[static_cast<size_t>(op.node)];
    switch (op.action) {
      case kDescend:
        if (node.right >= 0) {
          ops_.push_back({op.node, kSubAux});
          ops_.push_back({node.right, kDescend});
          ops_.push_back({op.node, kAddAux});
        }
        ops_.push_back({op.node, kProcess});
        if (node.left >= 0) ops_.push_back({node.left, kDescend});
        break;
      case kAddAux:
        aux += node.stats;
        break;
      case kSubAux:
        aux -= node.stats;
        break;
      default: {
        const VarianceStats left = node.stats + aux;
        const VarianceStats right = pre - left;
        const double merit = criterion.merit(pre, left, right);
        if (merit > out.merit) {
          out.merit = merit;
          out.threshold = node.value;
          out.left = left;
          out.right = right;
        }
        break;
      }
    }
  }
  return true;
}

void EbstSplitter::remove_bad_splits(const VarianceReduction& criterion, double last_ratio,
                                     double last_merit, double last_bound,
                                     const VarianceStats& pre) {
  if (root_ < 0) return;
  // River's post-order recursion made iterative: a node is evaluated only when its left side
  // is bad (absent or removed) and then its right side is bad too; a bad node is removed.
  VarianceStats aux;
  frames_.clear();
  frames_.push_back({root_, -1, true, kPhaseLeft, false});
  bool child_is_bad = false;
  while (!frames_.empty()) {
    Frame& frame = frames_.back();
    const Node& node = nodes_[static_cast<size_t>(frame.node)];
    if (frame.phase == kPhaseLeft) {
      frame.phase = kPhaseRight;
      if (node.left >= 0) {
        const Frame child{node.left, frame.node, true, kPhaseLeft, false};
        frames_.push_back(child);
      } else {
        child_is_bad = true;
      }
      continue;
    }
    if (frame.phase == kPhaseRight) {
      if (!child_is_bad) {
        frames_.pop_back();
        child_is_bad = false;
        continue;
      }
      frame.phase = kPhaseEval;
      if (node.right >= 0) {
        aux += node.stats;
        frame.aux_added = true;
        const Frame child{node.right, frame.node, false, kPhaseLeft, false};
        frames_.push_back(child);
      } else {
        child_is_bad = true;
      }
      continue;
    }
    if (frame.aux_added) aux -= node.stats;
    const Frame done = frame;
    frames_.pop_back();
    if (child_is_bad) {
      const VarianceStats left = node.stats + aux;
      const VarianceStats right = pre - left;
      const double merit = criterion.merit(pre, left, right);
      if (merit / last_merit < last_ratio - 2.0 * last_bound) {
        // Its children are gone already (a node is evaluated only then).
        if (done.parent < 0) {
          root_ = -1;
        } else if (done.is_left) {
          nodes_[static_cast<size_t>(done.parent)].left = -1;
        } else {
          nodes_[static_cast<size_t>(done.parent)].right = -1;
        }
        nodes_[static_cast<size_t>(done.node)].left = -1;
        nodes_[static_cast<size_t>(done.node)].right = -1;
        free_.push_back(done.node);
        child_is_bad = true;
        continue;
      }
    }
    child_is_bad = false;
  }
  if (root_ < 0) clear();
}

void EbstSplitter::clear() {
  nodes_.clear();
  free_.clear();
  root_ = -1;
}

size_t EbstSplitter::memory_bytes() const {
  return sizeof(*this) + nodes_.capacity() * sizeof(Node) + free_.capacity() * sizeof(int32_t) +
         ops_.capacity() * sizeof(Op) + frames_.capacity() * sizeof(Frame);
}

void EbstSplitter::save(StateWriter& out) const { out(nodes_, free_, root_); }

void EbstSplitter::load(StateReader& in) {
  in(nodes_, free_, root_);
  const auto n = static_cast<int32_t>(nodes_.size());
  auto bad = [n](int32_t i) { return i < -1 || i >= n; };
  bool ok = !bad(root_) && free_.size() <= nodes_.size();
  for (const Node& node : nodes_) ok = ok && !bad(node.left) && !bad(node.right);
  for (int32_t i : free_) ok = ok && i >= 0 && i < n;
  if (!ok) throw cereal::Exception("EbstSplitter: node index out of range");
  free_.reserve(nodes_.capacity());
  frames_.reserve(nodes_.capacity() + 1);
  ops_.reserve(4 * nodes_.capacity() + 4);
}

}  // namespace rivulet::ml
