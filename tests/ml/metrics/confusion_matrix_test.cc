#include "rivulet/ml/metrics/confusion_matrix.h"

#include <gtest/gtest.h>

#include <sstream>

#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

TEST(ConfusionMatrixTest, ReportPrintsRiversTableWithLabelNames) {
  // River's docstring example, label names from the encoder, classes sorted by name.
  LabelEncoder labels;
  auto cm = ConfusionMatrix::create().value();
  cm->attach(&labels);
  EXPECT_EQ(cm->report(), "ConfusionMatrix: (empty)");
  const char* truth[] = {"cat", "ant", "cat", "cat", "ant", "bird"};
  const char* pred[] = {"ant", "ant", "cat", "cat", "ant", "cat"};
  for (int i = 0; i < 6; ++i) {
    const ClassId y = labels.intern(truth[i]);
    cm->update(y, labels.intern(pred[i]), {});
  }
  EXPECT_EQ(cm->report(),
            "ConfusionMatrix:\n"
            "       ant  bird   cat\n"
            " ant     2     0     0\n"
            "bird     0     0     1\n"
            " cat     1     0     2");
  EXPECT_EQ(cm->n_classes(), 3u);
  EXPECT_DOUBLE_EQ(cm->get(), 4.0 / 6.0);  // get() is the accuracy
  EXPECT_EQ(cm->sum_row(*labels.find("cat")), 3.0);
  EXPECT_EQ(cm->sum_col(*labels.find("cat")), 3.0);
}

TEST(ConfusionMatrixTest, NumericLabelsSortNumericallyAndUnseenPredictionsGetAColumnNotAClass) {
  LabelEncoder labels;
  auto cm = ConfusionMatrix::create().value();
  cm->attach(&labels);
  const ClassId ten = labels.intern("10"), nine = labels.intern("9");
  for (int i = 0; i < 1234; ++i) cm->update(ten, ten, {});
  cm->update(nine, kNoClass, {});
  cm->update(nine, ten, {});
  EXPECT_EQ(cm->table(),
            "           9        10  (unseen)\n"
            " 9         0         1         1\n"
            "10         0     1,234         0");
  EXPECT_EQ(cm->count(nine, kNoClass), 1.0);
  EXPECT_EQ(cm->sum_col(kNoClass), 1.0);
  EXPECT_EQ(cm->sum_row(nine), 2.0);
  EXPECT_EQ(cm->n_classes(), 2u);  // the unseen column is not a class
}

TEST(ConfusionMatrixTest, WithoutEncoderShowsClassIdsAndGrowsForNewIds) {
  auto cm = ConfusionMatrix::create().value();
  cm->update(0, 0, {});
  cm->update(7, 0, {});  // an id far past the others
  EXPECT_EQ(cm->count(7, 0), 1.0);
  EXPECT_EQ(cm->count(0, 7), 0.0);
  EXPECT_EQ(cm->count(99, 99), 0.0);
  EXPECT_EQ(cm->table(),
            "   0  7\n"
            "0  1  0\n"
            "7  1  0");
}

TEST(ConfusionMatrixTest, RevertedClassesLeaveTheTable) {
  auto cm = ConfusionMatrix::create().value();
  cm->update(0, 0, {});
  cm->update(1, 2, {});
  cm->revert(1, 2, {});
  EXPECT_EQ(cm->n_classes(), 1u);  // River's `classes`: only non-zero rows or columns
  EXPECT_EQ(cm->table(), "   0\n0  1");
}

TEST(ConfusionMatrixTest, SavesAndLoadsItsCounts) {
  auto cm = ConfusionMatrix::create().value();
  cm->update(0, 1, {});
  cm->update(2, 2, {});
  std::stringstream ss;
  {
    StateWriter out(ss);
    cm->save(out);
  }
  auto loaded = ConfusionMatrix::create().value();
  StateReader in(ss);
  loaded->load(in);
  EXPECT_EQ(loaded->table(), cm->table());
  EXPECT_EQ(loaded->get(), 0.5);
  loaded->update(0, 0, {});
  EXPECT_DOUBLE_EQ(loaded->get(), 2.0 / 3.0);
}

TEST(ConfusionMatrixTest, RollingReportKeepsTheTable) {
  auto m = make_metric("Rolling(ConfusionMatrix, 2)").value();
  auto& cm = static_cast<ClassificationMetric&>(*m);
  cm.update(0, 1, {});
  cm.update(1, 1, {});
  cm.update(1, 1, {});
  EXPECT_EQ(m->report(),
            "Rolling(ConfusionMatrix, 2):\n"
            "   1\n"
            "1  2");
}

}  // namespace
}  // namespace rivulet::ml
