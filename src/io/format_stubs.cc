// Placeholders for the formats still being written; each returns kUnimplemented.
#include "io/readers.h"

namespace rivulet::io::internal {

Result<std::unique_ptr<RecordReader>> open_arff(const std::string&, const ReaderOptions&) {
  return Status::unimplemented("ARFF reader not yet available");
}
Result<std::unique_ptr<RecordReader>> open_libsvm(const std::string&, const ReaderOptions&) {
  return Status::unimplemented("libsvm reader not yet available");
}
Result<std::unique_ptr<RecordReader>> open_jsonl(const std::string&, const ReaderOptions&) {
  return Status::unimplemented("JSON Lines reader not yet available");
}

}  // namespace rivulet::io::internal
