#pragma once
// Factories of the concrete readers, one per format; open_reader() dispatches to them.

#include <memory>
#include <string>

#include "rivulet/io/record_reader.h"

namespace rivulet::io::internal {

Result<std::unique_ptr<RecordReader>> open_csv(const std::string& path, const ReaderOptions& options);
Result<std::unique_ptr<RecordReader>> open_arff(const std::string& path, const ReaderOptions& options);
Result<std::unique_ptr<RecordReader>> open_libsvm(const std::string& path, const ReaderOptions& options);
Result<std::unique_ptr<RecordReader>> open_jsonl(const std::string& path, const ReaderOptions& options);

}  // namespace rivulet::io::internal
