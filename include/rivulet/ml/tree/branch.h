#pragma once
/// The structure shared by rivulet's decision trees: a pool of nodes (branches and leaves) in
/// one vector, the split tests of River's branches (`NumericBinaryBranch`: x <= threshold goes
/// left; `NominalBinaryBranch`: x == category goes left; `NominalMultiwayBranch`: one child per
/// category, a child added when a new category arrives while learning), and River's traversal
/// rules for samples that lack the split attribute (or bring a category without a branch): such
/// a sample goes down the most common path, the child whose subtree has seen the most weight
/// (the left one on ties; the first of the heaviest for multiway branches).
///
/// A leaf node holds a `payload`, the slot of the tree's own leaf data (class statistics and
/// splitters for classifiers, target statistics and leaf models for regressors); the weight of
/// a leaf, needed by the most-common-path rule, is asked of the tree through a callable
/// `double(uint32_t payload)`. Node ids are stable: a leaf that splits becomes a branch in place,
/// and released nodes are reused.
///
/// Feature importances (`add_importances`) and the text drawing (`draw_tree`) walk the same
/// structure. Each branch keeps the merit of its split and the weight its leaf had seen then.
/// Thread safety: none.
/// ```cpp example
/// using namespace rivulet::ml::tree;
/// TreeNodes nodes;
/// const uint32_t root = nodes.add_leaf(0, /*payload=*/0);
/// const uint32_t children[2] = {nodes.add_leaf(1, 1), nodes.add_leaf(1, 2)};
/// nodes.make_numeric_binary(root, /*attribute=*/0, /*threshold=*/0.5, children);
/// AttributeMap map;
/// AttributeView view;
/// map.resolve(rivulet::Features{{0, 0.7}}, nullptr, view);
/// auto leaf_weight = [](uint32_t) { return 1.0; };
/// EXPECT_EQ(nodes.leaf_for(root, view, leaf_weight), children[1]);
/// map.resolve(rivulet::Features{}, nullptr, view);  // attribute 0 missing: most common path
/// EXPECT_EQ(nodes.leaf_for(root, view, leaf_weight), children[0]);  // a tie goes left
/// ```

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rivulet/core/state.h"
#include "rivulet/ml/estimator.h"
#include "rivulet/ml/tree/nominal.h"

namespace rivulet::ml::tree {

enum class NodeKind : uint8_t { kLeaf, kNumericBinary, kNominalBinary, kNominalMultiway };

/// The children of a multiway branch, by branch and by category. Kept apart from `Node` so that
/// the nodes a walk reads stay small (64 bytes: one cache line each).
struct Multiway {
  std::vector<uint32_t> children;            ///< children in branch order
  std::vector<uint32_t> branch_categories;   ///< the category of each branch
  std::vector<uint32_t> branch_of_category;  ///< category -> branch (kNone)
};

struct Node {
  NodeKind kind = NodeKind::kLeaf;
  uint32_t depth = 0;
  uint32_t payload = kNone;                    ///< leaf: the tree's leaf-data slot
  AttributeId attribute = kNone;               ///< branch: the split attribute
  double threshold = 0.0;                      ///< numeric binary branch
  uint32_t category = kNone;                   ///< nominal binary branch
  std::array<uint32_t, 2> pair{kNone, kNone};  ///< binary branch: left and right children
  double merit = 0.0;                          ///< branch: merit of the split when it was made
  double split_weight = 0.0;                   ///< branch: weight seen by the leaf that split
  std::unique_ptr<Multiway> multi;             ///< multiway branch only

  Node() = default;
  Node(Node&&) noexcept = default;
  Node& operator=(Node&&) noexcept = default;
  Node(const Node& o) { *this = o; }
  Node& operator=(const Node& o) {
    if (this == &o) return *this;
    kind = o.kind;
    depth = o.depth;
    payload = o.payload;
    attribute = o.attribute;
    threshold = o.threshold;
    category = o.category;
    pair = o.pair;
    merit = o.merit;
    split_weight = o.split_weight;
    multi = o.multi ? std::make_unique<Multiway>(*o.multi) : nullptr;
    return *this;
  }

  bool is_leaf() const { return kind == NodeKind::kLeaf; }
  size_t n_children() const {
    return kind == NodeKind::kNominalMultiway ? multi->children.size() : 2;
  }
  uint32_t child(size_t i) const {
    return kind == NodeKind::kNominalMultiway ? multi->children[i] : pair[i];
  }
  uint32_t& child_ref(size_t i) {
    return kind == NodeKind::kNominalMultiway ? multi->children[i] : pair[i];
  }
  /// A multiway branch's branch for category `c`, or kNone.
  uint32_t branch_of_category(uint32_t c) const {
    return c < multi->branch_of_category.size() ? multi->branch_of_category[c] : kNone;
  }
  /// A multiway branch's category of branch `i`.
  uint32_t branch_category(size_t i) const { return multi->branch_categories[i]; }
  /// Back to a leaf's shape: no children of any kind.
  void clear_children() {
    pair = {kNone, kNone};
    multi.reset();
  }

  // The stored form keeps the multiway vectors in line (empty for other nodes), as model files
  // of format version 1 have them.
  template <class Archive>
  void save(Archive& ar) const {
    static const std::vector<uint32_t> kEmpty;
    const Multiway* m = multi.get();
    ar(kind, depth, payload, attribute, threshold, category, pair,
       m ? m->children : kEmpty, m ? m->branch_categories : kEmpty,
       m ? m->branch_of_category : kEmpty, merit, split_weight);
  }
  template <class Archive>
  void load(Archive& ar) {
    Multiway m;
    ar(kind, depth, payload, attribute, threshold, category, pair, m.children,
       m.branch_categories, m.branch_of_category, merit, split_weight);
    multi = kind == NodeKind::kNominalMultiway ? std::make_unique<Multiway>(std::move(m))
                                               : nullptr;
  }
};

/// Where a walk stopped (River's `walk(x, until_leaf=False)`): at a leaf, or at the branch whose
/// test x cannot take (attribute missing, or a category without a branch).
struct WalkEnd {
  uint32_t node = kNone;
  bool at_leaf = false;
};

class TreeNodes {
 public:
  /// Adds a leaf node (reusing a released id) and returns its id.
  uint32_t add_leaf(uint32_t depth, uint32_t payload);
  /// Turns `node` (a leaf) into a branch in place; the caller releases its old payload.
  void make_numeric_binary(uint32_t node, AttributeId attribute, double threshold,
                           const uint32_t children[2]);
  void make_nominal_binary(uint32_t node, AttributeId attribute, uint32_t category,
                           const uint32_t children[2]);
  /// `categories[i]` is the category of `children[i]`.
  void make_nominal_multiway(uint32_t node, AttributeId attribute,
                             const std::vector<uint32_t>& categories,
                             const std::vector<uint32_t>& children);
  /// River's `NominalMultiwayBranch.add_child`: a branch for a new category.
  void add_branch(uint32_t node, uint32_t category, uint32_t child);
  /// Releases a node and its whole subtree; `on_leaf(payload)` is called for each leaf.
  void release_subtree(uint32_t node, const std::function<void(uint32_t)>& on_leaf);
  /// Releases one node id (not its children).
  void release(uint32_t node);

  Node& operator[](uint32_t id) { return nodes_[id]; }
  const Node& operator[](uint32_t id) const { return nodes_[id]; }
  size_t capacity_nodes() const { return nodes_.size(); }
  void reserve(size_t n) { nodes_.reserve(n); }
  void clear() {
    nodes_.clear();
    free_.clear();
  }

  /// The branch x takes at `node`, or kNone (attribute missing, or no branch for its category).
  static uint32_t branch_no(const Node& node, const AttributeView& x) {
    if (!x.has(node.attribute)) return kNone;
    switch (node.kind) {
      case NodeKind::kNumericBinary:
        return x.value(node.attribute) <= node.threshold ? 0 : 1;
      case NodeKind::kNominalBinary:
        return x.category(node.attribute) == node.category ? 0 : 1;
      case NodeKind::kNominalMultiway: {
        return node.branch_of_category(x.category(node.attribute));
      }
      case NodeKind::kLeaf:
        break;
    }
    return kNone;
  }

  /// River's `walk(x, until_leaf=False)` from `root`: follows x down to a leaf, or stops at the
  /// first branch x cannot take. `parent` receives the last branch passed (kNone at the root)
  /// and `branch` the branch taken there.
  WalkEnd walk(uint32_t root, const AttributeView& x, uint32_t* parent = nullptr,
               uint32_t* branch = nullptr) const {
    uint32_t node = root, p = kNone, b = kNone;
    while (!nodes_[node].is_leaf()) {
      const uint32_t next = branch_no(nodes_[node], x);
      if (next == kNone) {
        if (parent != nullptr) *parent = p;
        if (branch != nullptr) *branch = b;
        return {node, false};
      }
      p = node;
      b = next;
      node = nodes_[node].child(next);
    }
    if (parent != nullptr) *parent = p;
    if (branch != nullptr) *branch = b;
    return {node, true};
  }

  /// River's `traverse(x, until_leaf=True)`: the leaf x reaches, taking the most common path at
  /// branches x cannot take. `leaf_weight(payload)` is a leaf's total weight.
  template <class LeafWeight>
  uint32_t leaf_for(uint32_t root, const AttributeView& x, LeafWeight&& leaf_weight) const {
    uint32_t node = root;
    while (!nodes_[node].is_leaf()) {
      const uint32_t next = branch_no(nodes_[node], x);
      node = next != kNone ? nodes_[node].child(next)
                           : nodes_[node].child(most_common_branch(node, leaf_weight));
    }
    return node;
  }

  /// The total weight of the leaves under `node` (River's `total_weight` of a branch: the sum
  /// over its children, left to right).
  template <class LeafWeight>
  double subtree_weight(uint32_t node, LeafWeight&& leaf_weight) const {
    const Node& n = nodes_[node];
    if (n.is_leaf()) return leaf_weight(n.payload);
    double total = 0.0;
    for (size_t i = 0; i < n.n_children(); ++i) total += subtree_weight(n.child(i), leaf_weight);
    return total;
  }

  /// River's `most_common_path`: binary branches go right only when the right subtree is
  /// strictly heavier; multiway branches take the first heaviest child.
  template <class LeafWeight>
  uint32_t most_common_branch(uint32_t node, LeafWeight&& leaf_weight) const {
    const Node& n = nodes_[node];
    if (n.kind != NodeKind::kNominalMultiway) {
      return subtree_weight(n.pair[0], leaf_weight) < subtree_weight(n.pair[1], leaf_weight) ? 1
                                                                                             : 0;
    }
    uint32_t best = 0;
    double best_w = 0.0;
    for (size_t i = 0; i < n.n_children(); ++i) {
      const double w = subtree_weight(n.child(i), leaf_weight);
      if (i == 0 || w > best_w) {
        best = static_cast<uint32_t>(i);
        best_w = w;
      }
    }
    return best;
  }

  /// The leaves under `node`, left to right (River's `iter_leaves`).
  void leaves(uint32_t node, std::vector<uint32_t>& out) const;
  /// Number of branch and leaf nodes under `node` (itself included).
  void count(uint32_t node, size_t& branches, size_t& leaves) const;
  /// Depth of the deepest node under `node`, counting `node` as 1 (River's `height`).
  size_t height(uint32_t node) const;

  /// Bytes held by the nodes (memory accounting).
  size_t bytes() const;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(nodes_, free_);
  }

 private:
  std::vector<Node> nodes_;
  std::vector<uint32_t> free_;
};

/// Appends to `out` one FeatureImportance per attribute split on under `root`: each split counts
/// for the share of the root's weight that its subtree holds now, and adds its merit times that
/// share to the impurity reduction. Attributes map to feature indices via `attributes`.
template <class LeafWeight>
void add_importances(const TreeNodes& nodes, uint32_t root, const AttributeMap& attributes,
                     LeafWeight&& leaf_weight, std::vector<FeatureImportance>& out);

/// Text for a branch's i-th edge: `price <= 0.0733`, `price > 0.0733`, `color = red`,
/// `color != red` (thresholds rounded to 4 decimals, as River's `repr_branch(shorten=True)`).
std::string branch_text(const Node& node, size_t i, const AttributeMap& attributes);

/// Draws the tree under `root` as indented text, two spaces a level: each branch contributes
/// one line per edge (`branch_text`) followed by the child; a leaf contributes the line
/// `describe_leaf(payload)`. Nodes deeper than `max_depth` are left out (a branch at depth
/// `max_depth` shows its edges with `...` below them).
std::string draw_tree(const TreeNodes& nodes, uint32_t root, const AttributeMap& attributes,
                      size_t max_depth, const std::function<std::string(uint32_t)>& describe_leaf);

// ---- implementation of the templates ----

template <class LeafWeight>
void add_importances(const TreeNodes& nodes, uint32_t root, const AttributeMap& attributes,
                     LeafWeight&& leaf_weight, std::vector<FeatureImportance>& out) {
  if (root == kNone) return;
  const double total = nodes.subtree_weight(root, leaf_weight);
  if (!(total > 0.0)) return;
  std::vector<uint32_t> stack{root};
  const size_t first = out.size();
  while (!stack.empty()) {
    const uint32_t id = stack.back();
    stack.pop_back();
    const Node& n = nodes[id];
    if (n.is_leaf()) continue;
    const double share = nodes.subtree_weight(id, leaf_weight) / total;
    const FeatureIndex f =
        attributes.feature_of(n.attribute, n.kind == NodeKind::kNominalBinary ? n.category : kNone);
    FeatureImportance* entry = nullptr;
    for (size_t i = first; i < out.size(); ++i) {
      if (out[i].feature == f) entry = &out[i];
    }
    if (entry == nullptr) {
      out.push_back({f, 0.0, 0.0});
      entry = &out.back();
    }
    entry->splits += share;
    entry->impurity_reduction += share * n.merit;
    for (size_t i = n.n_children(); i-- > 0;) stack.push_back(n.child(i));
  }
}

}  // namespace rivulet::ml::tree
