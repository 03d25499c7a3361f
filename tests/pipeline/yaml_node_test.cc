#include "pipeline/yaml_node.h"

#include <gtest/gtest.h>

namespace rivulet::pipeline::internal {
namespace {

TEST(YamlNodeTest, ErrorsNameFileLineColumnAndPath) {
  auto root = parse_yaml("source:\n  kind: file\n  pth: x.jsonl\n", "p.yaml");
  ASSERT_TRUE(root.ok());
  const YamlNode source = root->child("source");
  EXPECT_EQ(source.check_keys({"kind", "path", "format"}).message(),
            "p.yaml:3:3: source: unknown key 'pth' (did you mean 'path'?); valid keys: kind, "
            "path, format");
  EXPECT_EQ(source.child("kind").error("nope").message(), "p.yaml:2:9: source.kind: nope");
  // An absent key reports at its parent.
  EXPECT_EQ(source.child("format").error("missing").message(), "p.yaml:2:3: source.format: missing");
}

TEST(YamlNodeTest, TypedValues) {
  auto root = parse_yaml("a: 12\nb: x\nc: [p, q]\nd: true\ne: 1.5\n", "t.yaml");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(*root->integer("a", 0, 0, 100), 12);
  EXPECT_EQ(root->integer("a", 0, 0, 10).status().message(), "t.yaml:1:4: a: 12 is out of range [0, 10]");
  EXPECT_EQ(root->integer("b", 0, 0, 10).status().message(),
            "t.yaml:2:4: b: expected an integer, got 'x'");
  EXPECT_EQ(*root->integer("missing", 7, 0, 10), 7);
  EXPECT_EQ(*root->strings("c"), (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(*root->strings("b"), (std::vector<std::string>{"x"}));
  EXPECT_TRUE(*root->boolean("d", false));
  EXPECT_EQ(*root->number("e", 0), 1.5);
  EXPECT_EQ(root->child("c").as_string().status().message(),
            "t.yaml:3:4: c: expected a text value, got a list");
}

TEST(YamlNodeTest, PositionsOfExpressions) {
  auto root = parse_yaml("steps:\n  - filter: \"x > 1\"\n  - filter: |\n      x > 2\n      AND y\n",
                         "e.yaml");
  ASSERT_TRUE(root.ok());
  const stream::SourcePos quoted = root->child("steps").at(0).child("filter").position();
  EXPECT_EQ(quoted.line, 2);
  EXPECT_EQ(quoted.column, 14);  // after the quote
  const stream::SourcePos block = root->child("steps").at(1).child("filter").position();
  EXPECT_EQ(block.line, 4);
  EXPECT_EQ(block.column, 7);
  EXPECT_EQ(block.indent, 6);
}

TEST(YamlNodeTest, SyntaxErrorsNameTheLine) {
  auto root = parse_yaml("a: [1, 2\nb: 3\n", "s.yaml");
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().message().rfind("s.yaml:", 0), 0u) << root.status().message();
}

TEST(YamlNodeTest, OverridesEditTheDocument) {
  auto root = parse_yaml("settings:\n  parallelism: 1\nsteps:\n  - filter: a\n  - evaluate:\n      model: x\n",
                         "o.yaml");
  ASSERT_TRUE(root.ok());
  YAML::Node doc = root->raw();
  ASSERT_TRUE(apply_override(doc, "settings.parallelism=4").ok());
  ASSERT_TRUE(apply_override(doc, "steps.1.evaluate.model=tree.HoeffdingTreeClassifier").ok());
  ASSERT_TRUE(apply_override(doc, "settings.batch_size=7").ok());
  EXPECT_EQ(doc["settings"]["parallelism"].as<int>(), 4);
  EXPECT_EQ(doc["settings"]["batch_size"].as<int>(), 7);
  EXPECT_EQ(doc["steps"][1]["evaluate"]["model"].as<std::string>(), "tree.HoeffdingTreeClassifier");
  EXPECT_EQ(apply_override(doc, "steps.5.filter=x").message(),
            "--set 'steps.5.filter=x': 'steps' is a list of 2 items; '5' is not an index of it");
  EXPECT_EQ(apply_override(doc, "settings.parallelism.x=1").message(),
            "--set 'settings.parallelism.x=1': 'settings.parallelism' is a value, not a map");
  EXPECT_EQ(apply_override(doc, "nothing").message(),
            "--set 'nothing': expected path.to.field=value, e.g. settings.parallelism=4");
}

}  // namespace
}  // namespace rivulet::pipeline::internal
