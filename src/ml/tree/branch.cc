#include "rivulet/ml/tree/branch.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace rivulet::ml::tree {

uint32_t TreeNodes::add_leaf(uint32_t depth, uint32_t payload) {
  uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<uint32_t>(nodes_.size());
    nodes_.emplace_back();
  }
  Node& n = nodes_[id];
  n.kind = NodeKind::kLeaf;
  n.depth = depth;
  n.payload = payload;
  n.attribute = kNone;
  n.threshold = 0.0;
  n.category = kNone;
  n.clear_children();
  n.merit = 0.0;
  n.split_weight = 0.0;
  return id;
}

void TreeNodes::make_numeric_binary(uint32_t node, AttributeId attribute, double threshold,
                                    const uint32_t children[2]) {
  Node& n = nodes_[node];
  n.kind = NodeKind::kNumericBinary;
  n.payload = kNone;
  n.attribute = attribute;
  n.threshold = threshold;
  n.pair = {children[0], children[1]};
}

void TreeNodes::make_nominal_binary(uint32_t node, AttributeId attribute, uint32_t category,
                                    const uint32_t children[2]) {
  Node& n = nodes_[node];
  n.kind = NodeKind::kNominalBinary;
  n.payload = kNone;
  n.attribute = attribute;
  n.category = category;
  n.pair = {children[0], children[1]};
}

void TreeNodes::make_nominal_multiway(uint32_t node, AttributeId attribute,
                                      const std::vector<uint32_t>& categories,
                                      const std::vector<uint32_t>& children) {
  Node& n = nodes_[node];
  n.kind = NodeKind::kNominalMultiway;
  n.payload = kNone;
  n.attribute = attribute;
  n.multi = std::make_unique<Multiway>();
  Multiway& m = *n.multi;
  m.children = children;
  m.branch_categories = categories;
  for (uint32_t i = 0; i < categories.size(); ++i) {
    const uint32_t c = categories[i];
    if (c >= m.branch_of_category.size())
      m.branch_of_category.resize(static_cast<size_t>(c) + 1, kNone);
    m.branch_of_category[c] = i;
  }
}

void TreeNodes::add_branch(uint32_t node, uint32_t category, uint32_t child) {
  Multiway& m = *nodes_[node].multi;
  if (category >= m.branch_of_category.size()) {
    m.branch_of_category.resize(static_cast<size_t>(category) + 1, kNone);
  }
  m.branch_of_category[category] = static_cast<uint32_t>(m.children.size());
  m.children.push_back(child);
  m.branch_categories.push_back(category);
}

void TreeNodes::release(uint32_t node) {
  Node& n = nodes_[node];
  n.kind = NodeKind::kLeaf;
  n.payload = kNone;
  n.clear_children();
  free_.push_back(node);
}

void TreeNodes::release_subtree(uint32_t node, const std::function<void(uint32_t)>& on_leaf) {
  const Node& n = nodes_[node];
  if (n.is_leaf()) {
    if (on_leaf && n.payload != kNone) on_leaf(n.payload);
  } else {
    for (size_t i = 0; i < n.n_children(); ++i) release_subtree(n.child(i), on_leaf);
  }
  release(node);
}

void TreeNodes::leaves(uint32_t node, std::vector<uint32_t>& out) const {
  const Node& n = nodes_[node];
  if (n.is_leaf()) {
    out.push_back(node);
    return;
  }
  for (size_t i = 0; i < n.n_children(); ++i) leaves(n.child(i), out);
}

void TreeNodes::count(uint32_t node, size_t& branches, size_t& leaves) const {
  const Node& n = nodes_[node];
  if (n.is_leaf()) {
    ++leaves;
    return;
  }
  ++branches;
  for (size_t i = 0; i < n.n_children(); ++i) count(n.child(i), branches, leaves);
}

size_t TreeNodes::height(uint32_t node) const {
  const Node& n = nodes_[node];
  if (n.is_leaf()) return 1;
  size_t h = 0;
  for (size_t i = 0; i < n.n_children(); ++i) h = std::max(h, height(n.child(i)));
  return 1 + h;
}

size_t TreeNodes::bytes() const {
  size_t total =
      sizeof(*this) + nodes_.capacity() * sizeof(Node) + free_.capacity() * sizeof(uint32_t);
  for (const auto& n : nodes_) {
    if (!n.multi) continue;
    const Multiway& m = *n.multi;
    total += sizeof(Multiway) + (m.children.capacity() + m.branch_categories.capacity() +
                                 m.branch_of_category.capacity()) *
                                    sizeof(uint32_t);
  }
  return total;
}

namespace {

// Python's round(x, 4) for display: nearest multiple of 1e-4, shortest text.
std::string rounded(double v) {
  const double r = std::round(v * 1e4) / 1e4;
  return fmt::format("{}", r == 0.0 ? 0.0 : r);
}

void draw_node(const TreeNodes& nodes, uint32_t id, const AttributeMap& attributes,
               size_t max_depth, const std::function<std::string(uint32_t)>& describe_leaf,
               size_t indent, std::string& out) {
  const Node& n = nodes[id];
  const std::string pad(2 * indent, ' ');
  if (n.is_leaf()) {
    out += pad;
    out += describe_leaf(n.payload);
    out += '\n';
    return;
  }
  for (size_t i = 0; i < n.n_children(); ++i) {
    out += pad;
    out += branch_text(n, i, attributes);
    out += '\n';
    if (n.depth + 1 > max_depth) {
      out += pad;
      out += "  ...\n";
    } else {
      draw_node(nodes, n.child(i), attributes, max_depth, describe_leaf, indent + 1, out);
    }
  }
}

}  // namespace

std::string branch_text(const Node& node, size_t i, const AttributeMap& attributes) {
  const std::string& name = attributes.name(node.attribute);
  switch (node.kind) {
    case NodeKind::kNumericBinary:
      return fmt::format("{} {} {}", name, i == 0 ? "<=" : ">", rounded(node.threshold));
    case NodeKind::kNominalBinary:
      return fmt::format("{} {} {}", name, i == 0 ? "=" : "!=",
                         attributes.category_name(node.attribute, node.category));
    case NodeKind::kNominalMultiway:
      return fmt::format("{} = {}", name,
                         attributes.category_name(node.attribute, node.branch_category(i)));
    case NodeKind::kLeaf:
      break;
  }
  return {};
}

std::string draw_tree(const TreeNodes& nodes, uint32_t root, const AttributeMap& attributes,
                      size_t max_depth, const std::function<std::string(uint32_t)>& describe_leaf) {
  std::string out;
  if (root == kNone) return out;
  draw_node(nodes, root, attributes, max_depth, describe_leaf, 0, out);
  return out;
}

}  // namespace rivulet::ml::tree
