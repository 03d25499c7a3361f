#include "rivulet/core/status.h"

#include <gtest/gtest.h>

namespace rivulet {
namespace {

Result<int> half(int v) {
  if (v % 2 != 0) return Status::invalid_argument("odd");
  return v / 2;
}

Result<int> quarter(int v) {
  RIVULET_ASSIGN_OR_RETURN(int h, half(v));
  RIVULET_ASSIGN_OR_RETURN(int q, half(h));
  return q;
}

TEST(StatusTest, PropagatesThroughMacros) {
  EXPECT_EQ(*quarter(8), 2);
  EXPECT_EQ(quarter(6).status().message(), "odd");
  EXPECT_EQ(quarter(6).status().to_string(), "INVALID_ARGUMENT: odd");
  EXPECT_EQ(Status().to_string(), "OK");
  EXPECT_EQ(Status::not_found("x").with_context("file").message(), "file: x");
}

}  // namespace
}  // namespace rivulet
