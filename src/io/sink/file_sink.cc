// The `file` sink: encoded rows into a file, optionally rolled into parts by size, and the
// dead-letter file.

#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <vector>

#include "io/codec/codec_internal.h"
#include "rivulet/checkpoint/store.h"
#include "rivulet/io/sinks.h"

namespace rivulet::io {
namespace {

constexpr size_t kFlushBytes = size_t{1} << 20;
constexpr uint64_t kWriteBackBytes = uint64_t{4} << 20;  // OutFile::write_back_every

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string parent_dir(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status check_parent(std::string_view what, const std::string& path) {
  if (path.empty()) return Status::invalid_argument(fmt::format("{}: 'path' is required", what));
  struct stat st {};
  const std::string dir = parent_dir(path);
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::not_found(
        fmt::format("{}: path '{}': the directory '{}' does not exist", what, path, dir));
  }
  return Status();
}

// The encoder of a file sink's format.
Result<std::unique_ptr<Encoder>> make_encoder(const FileSink::Options& options,
                                              stream::SchemaPtr schema) {
  EncoderOptions encoder;
  encoder.encoding = options.format;
  encoder.csv_delimiter = options.csv_delimiter;
  auto created = Encoder::create(std::move(schema), encoder);
  if (!created.ok()) return created.status().with_context("file sink");
  return std::move(created).value();
}

// An output file written through one descriptor.
class OutFile {
 public:
  ~OutFile() { close(); }
  Status open(const std::string& path, bool append, std::string_view what) {
    close();
    fd_ =
        ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0644);
    if (fd_ < 0) {
      return Status::unavailable(
          fmt::format("{}: cannot open '{}': {}", what, path, std::strerror(errno)));
    }
    struct stat st {};
    ::fstat(fd_, &st);
    size_ = static_cast<uint64_t>(st.st_size);
    end_ = hinted_ = size_;
    path_ = path;
    return Status();
  }
  // A file to be fsynced (an exactly-once part, at each checkpoint): its pages are handed to
  // the disk every `bytes` written (sync_file_range, as RocksDB's bytes_per_sync), so that the
  // fsync finds little left to write and a checkpoint does not wait for all of it. 0: never.
  void write_back_every(uint64_t bytes) { write_back_every_ = bytes; }
  Status write(std::string_view data, std::string_view what) {
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        return Status::unavailable(
            fmt::format("{}: cannot write '{}': {}", what, path_, std::strerror(errno)));
      }
      data.remove_prefix(static_cast<size_t>(n));
      end_ += static_cast<uint64_t>(n);
    }
    if (write_back_every_ > 0 && end_ - hinted_ >= write_back_every_) {
      // Only a hint: an error here is the fsync's to report.
      ::sync_file_range(fd_, static_cast<off64_t>(hinted_), static_cast<off64_t>(end_ - hinted_),
                        SYNC_FILE_RANGE_WRITE);
      hinted_ = end_;
    }
    return Status();
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool is_open() const { return fd_ >= 0; }
  Status sync(std::string_view what) {
    if (fd_ >= 0 && ::fsync(fd_) != 0) {
      return Status::unavailable(
          fmt::format("{}: cannot fsync '{}': {}", what, path_, std::strerror(errno)));
    }
    return Status();
  }
  uint64_t initial_size() const { return size_; }

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
  uint64_t end_ = 0, hinted_ = 0;  // the file's end, and up to where writeback was started
  uint64_t write_back_every_ = 0;
  std::string path_;
};

class FileSinkImpl final : public Sink {
 public:
  explicit FileSinkImpl(FileSink::Options options) : options_(std::move(options)) {}

  std::string describe() const override {
    if (options_.rolling_size == 0) return fmt::format("file {}", options_.path);
    return fmt::format("file {} (parts of {} bytes)", options_.path, options_.rolling_size);
  }

  Status open(stream::SchemaPtr schema) override {
    RIVULET_ASSIGN_OR_RETURN(encoder_, make_encoder(options_, std::move(schema)));
    part_ = 0;
    if (options_.rolling_size > 0 && options_.append) {
      while (file_exists(FileSink::part_path(options_.path, part_))) ++part_;
    }
    return open_part();
  }

  Status write(const stream::Batch& batch) override {
    if (encoder_ == nullptr) return Status::failed_precondition("file sink: write before open");
    if (options_.rolling_size == 0) {
      if (!batch.empty() && part_bytes_ == 0) {
        const size_t before = buffer_.size();
        encoder_->append_header(buffer_);
        part_bytes_ += buffer_.size() - before;
      }
      const size_t before = buffer_.size();
      for (size_t r = 0; r < batch.size(); ++r) encoder_->encode_row(batch, r, buffer_);
      part_bytes_ += buffer_.size() - before;
    } else {
      for (size_t r = 0; r < batch.size(); ++r) {
        if (part_bytes_ >= options_.rolling_size) RIVULET_RETURN_IF_ERROR(roll());
        const size_t before = buffer_.size();
        if (part_bytes_ == 0) encoder_->append_header(buffer_);
        encoder_->encode_row(batch, r, buffer_);
        part_bytes_ += buffer_.size() - before;
      }
    }
    if (buffer_.size() >= kFlushBytes) return push();
    return Status();
  }

  Status flush() override { return push(); }

  Status close() override {
    if (!file_.is_open()) return Status();
    Status s = push();
    file_.close();
    encoder_.reset();
    return s;
  }

 private:
  std::string current_path() const {
    return options_.rolling_size == 0 ? options_.path : FileSink::part_path(options_.path, part_);
  }

  Status open_part() {
    RIVULET_RETURN_IF_ERROR(file_.open(current_path(), options_.append, "file sink"));
    part_bytes_ = file_.initial_size();
    return Status();
  }

  Status roll() {
    RIVULET_RETURN_IF_ERROR(push());
    ++part_;
    return open_part();
  }

  Status push() {
    if (buffer_.empty()) return Status();
    Status s = file_.write(buffer_, "file sink");
    buffer_.clear();
    return s;
  }

  FileSink::Options options_;
  std::unique_ptr<Encoder> encoder_;
  OutFile file_;
  std::string buffer_;
  uint64_t part_ = 0;
  uint64_t part_bytes_ = 0;  // bytes of the current part, buffered ones included
};

class FileDeadLetterSinkImpl final : public DeadLetterSink {
 public:
  explicit FileDeadLetterSinkImpl(FileDeadLetterSink::Options options)
      : options_(std::move(options)) {}

  Status open() { return file_.open(options_.path, options_.append, "dead-letter sink"); }

  Status write(const stream::DeadLetter& letter) override {
    if (!file_.is_open()) return Status::failed_precondition("dead-letter sink: closed");
    FileDeadLetterSink::append_json(letter, buffer_);
    if (buffer_.size() >= kFlushBytes) return flush();
    return Status();
  }

  Status flush() override {
    if (buffer_.empty()) return Status();
    Status s = file_.write(buffer_, "dead-letter sink");
    buffer_.clear();
    return s;
  }

  Status close() override {
    if (!file_.is_open()) return Status();
    Status s = flush();
    file_.close();
    return s;
  }

 private:
  FileDeadLetterSink::Options options_;
  OutFile file_;
  std::string buffer_;
};

bool is_json_object(std::string_view text) {
  if (text.empty() || text.front() != '{' || text.back() != '}') return false;
  // Embedded, it must stay on its line.
  if (text.find_first_of("\r\n") != std::string_view::npos) return false;
  static thread_local simdjson::dom::parser parser;
  simdjson::dom::element element;
  if (parser.parse(text.data(), text.size(), true).get(element)) return false;
  return element.is_object();
}


// The exactly-once file sink: hidden in-progress parts, made pending by pre_commit and visible
// by commit (see FileSink::Options::exactly_once).
class CommittingFileSink final : public Sink {
 public:
  explicit CommittingFileSink(FileSink::Options options) : options_(std::move(options)) {}

  std::string describe() const override {
    return fmt::format("file {} (exactly-once parts)", options_.path);
  }

  Status open(stream::SchemaPtr schema) override {
    RIVULET_ASSIGN_OR_RETURN(encoder_, make_encoder(options_, std::move(schema)));
    // A run that does not resume from a checkpoint (a first run, --fresh) adds parts after
    // those committed before, never over them (recover() sets where a resumed run goes on).
    next_part_ = 0;
    while (file_exists(FileSink::part_path(options_.path, next_part_))) ++next_part_;
    return Status();
  }

  Status write(const stream::Batch& batch) override {
    if (encoder_ == nullptr) return Status::failed_precondition("file sink: write before open");
    for (size_t r = 0; r < batch.size(); ++r) {
      if (options_.rolling_size > 0 && part_bytes_ >= options_.rolling_size) {
        RIVULET_RETURN_IF_ERROR(finish_part());
      }
      if (!file_.is_open()) {
        RIVULET_RETURN_IF_ERROR(file_.open(hidden(next_part_, "inprogress"), false, "file sink"));
        file_.write_back_every(kWriteBackBytes);
        part_bytes_ = 0;
        const size_t before = buffer_.size();
        encoder_->append_header(buffer_);
        part_bytes_ += buffer_.size() - before;
      }
      const size_t before = buffer_.size();
      encoder_->encode_row(batch, r, buffer_);
      part_bytes_ += buffer_.size() - before;
    }
    if (buffer_.size() >= kFlushBytes) return push();
    return Status();
  }

  Status flush() override { return push(); }

  Result<std::string> pre_commit(uint64_t id) override {
    if (file_.is_open()) RIVULET_RETURN_IF_ERROR(finish_part());
    // The parts of this checkpoint: durable, then renamed pending.
    std::string state = fmt::format("next {}", next_part_);
    for (const uint64_t part : finished_) {
      RIVULET_RETURN_IF_ERROR(rename_part(hidden(part, "inprogress"), hidden(part, "pending")));
      state += fmt::format(" {}", part);
    }
    RIVULET_RETURN_IF_ERROR(sync_dir());
    pending_.emplace_back(id, std::move(finished_));
    finished_.clear();
    return state;
  }

  Status commit(uint64_t id) override {
    bool any = false;
    while (!pending_.empty() && pending_.front().first <= id) {
      for (const uint64_t part : pending_.front().second) {
        RIVULET_RETURN_IF_ERROR(
            rename_part(hidden(part, "pending"), FileSink::part_path(options_.path, part)));
        any = true;
      }
      pending_.erase(pending_.begin());
    }
    return any ? sync_dir() : Status();
  }

  Status recover(const std::string& state) override {
    std::istringstream in(state);
    std::string word;
    uint64_t next = 0;
    if (!(in >> word >> next) || word != "next") {
      return Status::data_loss(fmt::format("file sink {}: unreadable checkpoint state '{}'",
                                           options_.path, state));
    }
    uint64_t part = 0;
    while (in >> part) {
      const std::string final_path = FileSink::part_path(options_.path, part);
      if (file_exists(hidden(part, "pending"))) {
        RIVULET_RETURN_IF_ERROR(rename_part(hidden(part, "pending"), final_path));
      } else if (!file_exists(final_path)) {
        return Status::data_loss(fmt::format(
            "file sink: part {} of the checkpoint is neither pending nor committed", final_path));
      }
    }
    // What was written after the checkpoint: its in-progress and pending parts, and parts
    // committed without a checkpoint (close() after a checkpoint that failed), which the replay
    // writes again.
    for (uint64_t p = next;; ++p) {
      const std::string final_path = FileSink::part_path(options_.path, p);
      const bool a = file_exists(hidden(p, "inprogress")), b = file_exists(hidden(p, "pending")),
                 c = file_exists(final_path);
      if (!a && !b && !c) break;
      if (a) ::unlink(hidden(p, "inprogress").c_str());
      if (b) ::unlink(hidden(p, "pending").c_str());
      if (c) ::unlink(final_path.c_str());
    }
    next_part_ = next;
    return sync_dir();
  }

  Status close() override {
    if (encoder_ == nullptr) return Status();
    // The end of the input: what is left is committed (as Flink's final checkpoint).
    auto state = pre_commit(UINT64_MAX);
    Status s = state.ok() ? commit(UINT64_MAX) : state.status();
    encoder_.reset();
    return s;
  }

 private:
  // ".out-3.jsonl.inprogress" beside the final part "out-3.jsonl".
  std::string hidden(uint64_t part, std::string_view suffix) const {
    const std::string final_path = FileSink::part_path(options_.path, part);
    const size_t slash = final_path.rfind('/');
    const size_t name = slash == std::string::npos ? 0 : slash + 1;
    return fmt::format("{}.{}.{}", final_path.substr(0, name), final_path.substr(name), suffix);
  }

  Status finish_part() {
    RIVULET_RETURN_IF_ERROR(push());
    RIVULET_RETURN_IF_ERROR(file_.sync("file sink"));
    file_.close();
    finished_.push_back(next_part_++);
    part_bytes_ = 0;
    return Status();
  }

  // Through the checkpoint store's file-system seam (rename(2), fsync of the directory).
  checkpoint::Env* env() const {
    return options_.env != nullptr ? options_.env : checkpoint::Env::posix();
  }
  Status rename_part(const std::string& from, const std::string& to) const {
    return env()->rename(from, to).with_context("file sink");
  }
  Status sync_dir() const {
    return env()->sync_dir(parent_dir(options_.path)).with_context("file sink");
  }

  Status push() {
    if (buffer_.empty()) return Status();
    Status s = file_.write(buffer_, "file sink");
    buffer_.clear();
    return s;
  }

  FileSink::Options options_;
  std::unique_ptr<Encoder> encoder_;
  OutFile file_;
  std::string buffer_;
  uint64_t next_part_ = 0;   // the part being written, or the next one
  uint64_t part_bytes_ = 0;
  std::vector<uint64_t> finished_;  // parts closed since the last pre_commit
  std::vector<std::pair<uint64_t, std::vector<uint64_t>>> pending_;  // checkpoint -> its parts
};

}  // namespace

std::string FileSink::part_path(const std::string& path, uint64_t index) {
  const size_t slash = path.rfind('/');
  const size_t name_start = slash == std::string::npos ? 0 : slash + 1;
  const size_t dot = path.rfind('.');
  if (dot == std::string::npos || dot <= name_start) return fmt::format("{}-{}", path, index);
  return fmt::format("{}-{}{}", path.substr(0, dot), index, path.substr(dot));
}

Result<std::unique_ptr<Sink>> FileSink::create(Options options) {
  RIVULET_RETURN_IF_ERROR(check_parent("file sink", options.path));
  if (options.csv_delimiter == '"' || options.csv_delimiter == '\n' ||
      options.csv_delimiter == '\r' || options.csv_delimiter == '\0') {
    return Status::invalid_argument("file sink: 'csv_delimiter' cannot be a quote or a line break");
  }
  if (options.exactly_once) {
    if (options.append) {
      return Status::invalid_argument("file sink: 'exactly_once' cannot 'append'");
    }
    return std::unique_ptr<Sink>(new CommittingFileSink(std::move(options)));
  }
  return std::unique_ptr<Sink>(new FileSinkImpl(std::move(options)));
}

void FileDeadLetterSink::append_json(const stream::DeadLetter& letter, std::string& out) {
  out += "{\"stage\": ";
  internal::append_json_string(out, letter.stage);
  out += ", \"reason\": ";
  internal::append_json_string(out, letter.reason);
  out += ", \"origin\": ";
  internal::append_json_string(out, letter.origin);
  out += ", \"event_time\": ";
  if (letter.event_time == stream::kNoEventTime) {
    out += "null";
  } else {
    out += fmt::format("{}", letter.event_time);
  }
  out += ", \"record\": ";
  const std::string_view record = internal::trim(letter.record);
  if (is_json_object(record)) {
    out += record;
  } else {
    internal::append_json_string(out, letter.record);
  }
  out += "}\n";
}

Result<std::unique_ptr<DeadLetterSink>> FileDeadLetterSink::create(Options options) {
  RIVULET_RETURN_IF_ERROR(check_parent("dead-letter sink", options.path));
  auto sink = std::make_unique<FileDeadLetterSinkImpl>(std::move(options));
  RIVULET_RETURN_IF_ERROR(sink->open());
  return std::unique_ptr<DeadLetterSink>(std::move(sink));
}

}  // namespace rivulet::io
