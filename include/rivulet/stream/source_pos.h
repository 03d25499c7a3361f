#pragma once
/// Where a piece of text starts in the file it came from, so that errors found in the text (an
/// expression in a pipeline file) name the file's line and column.
/// Thread safety: a value.

namespace rivulet::stream {

struct SourcePos {
  int line = 1;    ///< 1-based line of the text's first character. REQUIRES: >= 1.
  int column = 1;  ///< 1-based column of the text's first character. REQUIRES: >= 1.
  /// Columns before the text on its second and later lines: 0 when the text starts each line
  /// (a quoted scalar), the block's indentation for a YAML block scalar (`|` or `>`), whose
  /// lines reach the parser without it. REQUIRES: >= 0.
  int indent = 0;
};

}  // namespace rivulet::stream
