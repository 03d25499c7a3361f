#include "rivulet/core/feature_extractor.h"

namespace rivulet {

void FeatureExtractor::set_columns(const std::vector<std::string>& columns) {
  for (size_t i = columns_.size(); i < columns.size(); ++i) {
    Column c;
    c.name = columns[i];
    columns_.push_back(std::move(c));
  }
}

void FeatureExtractor::exclude(ColumnId column) {
  if (column >= columns_.size()) columns_.resize(column + 1);
  columns_[column].excluded = true;
}

void FeatureExtractor::extract(const Record& record, Features& out) {
  out.clear();
  for (const Field& f : record.fields()) {
    if (f.column >= columns_.size()) continue;  // a column the caller has not declared
    Column& c = columns_[f.column];
    if (c.excluded) continue;
    if (f.kind == Field::Kind::kNumber) {
      if (!c.has_index) {
        c.numeric_index = space_->intern(c.name);
        c.has_index = true;
      }
      out.push(c.numeric_index, f.number);
      continue;
    }
    auto it = c.text_index.find(f.text);
    if (it == c.text_index.end()) {
      std::string name = c.name;
      name += '=';
      name += f.text;
      it = c.text_index.emplace(std::string(f.text), space_->intern(name)).first;
    }
    out.push(it->second, 1.0);
  }
}

}  // namespace rivulet
