// Throughput of the record readers: rows/s and bytes/s (bytes of uncompressed text, so that .gz
// files include the cost of inflating them). Each iteration opens the file and reads it whole.
// Inputs: the shipped data sets, plus files generated once into the temp dir: Electricity as
// plain CSV and plain ARFF (from the ARFF rows) and 100k JSON Lines events of 8 floats.

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "rivulet/io/record_reader.h"

namespace rivulet::io {
namespace {

std::string data_path(const char* relative) {
  return std::string(RIVULET_DATA_DIR) + "/" + relative;
}

// The number of bytes `path` holds once inflated (plain files pass through).
size_t text_bytes(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr) return 0;
  std::string buf(1 << 16, '\0');
  size_t total = 0;
  for (;;) {
    const int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
    if (n <= 0) break;
    total += static_cast<size_t>(n);
  }
  gzclose(f);
  return total;
}

// Files generated for the run, removed at exit.
class GeneratedFiles {
 public:
  GeneratedFiles() {
    const std::string dir = std::filesystem::temp_directory_path().string();
    const std::string stem = dir + "/rivulet_bench_" + std::to_string(::getpid());
    elec_csv_ = stem + "_elec.csv";
    elec_arff_ = stem + "_elec.arff";
    events_jsonl_ = stem + "_events.jsonl";
    {
      // Plain ARFF: the shipped file inflated.
      gzFile in = gzopen(data_path("electricity/elecNormNew.arff.gz").c_str(), "rb");
      std::ofstream out(elec_arff_, std::ios::binary);
      std::string buf(1 << 16, '\0');
      for (int n;
           in != nullptr && (n = gzread(in, buf.data(), static_cast<unsigned>(buf.size()))) > 0;) {
        out.write(buf.data(), n);
      }
      if (in != nullptr) gzclose(in);
    }
    {
      // Plain CSV with the ARFF's rows.
      auto reader = open_reader(elec_arff_, Format::kArff);
      std::ofstream out(elec_csv_, std::ios::binary);
      if (reader.ok()) {
        const auto& columns = (*reader)->columns();
        for (size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << columns[i];
        out << '\n';
        Record record;
        for (auto got = (*reader)->next(record); got.ok() && *got; got = (*reader)->next(record)) {
          for (size_t i = 0; i < record.size(); ++i)
            out << (i ? "," : "") << record.fields()[i].text;
          out << '\n';
        }
      }
    }
    {
      std::mt19937_64 rng(42);
      std::uniform_real_distribution<double> uniform(-100.0, 100.0);
      std::ofstream out(events_jsonl_, std::ios::binary);
      std::string line;
      for (int i = 0; i < 100000; ++i) {
        line.clear();
        line += '{';
        for (int f = 0; f < 8; ++f)
          line += fmt::format("{}\"f{}\":{:.6f}", f ? "," : "", f, uniform(rng));
        line += "}\n";
        out << line;
      }
    }
  }
  ~GeneratedFiles() {
    std::filesystem::remove(elec_csv_);
    std::filesystem::remove(elec_arff_);
    std::filesystem::remove(events_jsonl_);
  }
  const std::string& elec_csv() const { return elec_csv_; }
  const std::string& elec_arff() const { return elec_arff_; }
  const std::string& events_jsonl() const { return events_jsonl_; }

 private:
  std::string elec_csv_;
  std::string elec_arff_;
  std::string events_jsonl_;
};

const GeneratedFiles& generated() {
  static const GeneratedFiles files;
  return files;
}

void read_file(benchmark::State& state, const std::string& path, Format format,
               int64_t expected_rows) {
  const size_t bytes = text_bytes(path);
  int64_t rows = 0;
  size_t fields = 0;
  Record record;
  for (auto _ : state) {
    auto reader = open_reader(path, format);
    if (!reader.ok()) {
      state.SkipWithError(reader.status().to_string().c_str());
      return;
    }
    rows = 0;
    for (;;) {
      auto got = (*reader)->next(record);
      if (!got.ok()) {
        state.SkipWithError(got.status().to_string().c_str());
        return;
      }
      if (!*got) break;
      ++rows;
      fields += record.size();
      benchmark::DoNotOptimize(record.fields().data());
    }
  }
  if (rows != expected_rows) {
    state.SkipWithError(fmt::format("read {} rows, expected {}", rows, expected_rows).c_str());
    return;
  }
  benchmark::DoNotOptimize(fields);
  state.SetItemsProcessed(state.iterations() * rows);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}

void BM_Csv_PhishingGz(benchmark::State& state) {
  read_file(state, data_path("river/phishing.csv.gz"), Format::kCsv, 1250);
}
void BM_Csv_Electricity(benchmark::State& state) {
  read_file(state, generated().elec_csv(), Format::kCsv, 45312);
}
void BM_Arff_ElectricityGz(benchmark::State& state) {
  read_file(state, data_path("electricity/elecNormNew.arff.gz"), Format::kArff, 45312);
}
void BM_Arff_Electricity(benchmark::State& state) {
  read_file(state, generated().elec_arff(), Format::kArff, 45312);
}
void BM_Libsvm_BananaGz(benchmark::State& state) {
  read_file(state, data_path("river/banana.libsvm.gz"), Format::kLibsvm, 5300);
}
void BM_Jsonl_Events8Floats(benchmark::State& state) {
  read_file(state, generated().events_jsonl(), Format::kJsonLines, 100000);
}

BENCHMARK(BM_Csv_PhishingGz)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Csv_Electricity)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Arff_ElectricityGz)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Arff_Electricity)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Libsvm_BananaGz)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Jsonl_Events8Floats)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rivulet::io
