// The `file` source: one file or a directory of files, plain or gzip, read once or followed as
// `tail -F` follows. Reads go through read(2) (or zlib for .gz) into a LineSplitter, so the byte
// offset of every line boundary is known for checkpoints.

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "io/source/line_splitter.h"
#include "io/source/wait.h"
#include "rivulet/io/sources.h"

namespace rivulet::io {
namespace {

using internal::Canceller;
using internal::LineSplitter;
using Clock = std::chrono::steady_clock;

constexpr size_t kChunk = size_t{1} << 18;
constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr uint32_t kPositionVersion = 1;

bool ends_with_gz(std::string_view path) { return path.ends_with(".gz"); }

class FileSourceImpl final : public Source {
 public:
  FileSourceImpl(FileSource::Options options, bool is_dir)
      : options_(std::move(options)), is_dir_(is_dir), split_(options_.max_line_bytes) {}
  ~FileSourceImpl() override { close_file(); }

  std::string describe() const override {
    return fmt::format("file {}{}", options_.path, options_.follow ? " (follow)" : "");
  }

  Result<ReadStatus> read(RawLines& out, size_t max_lines, std::chrono::milliseconds wait) override;
  void cancel() override { canceller_.cancel(); }
  void save_position(StateWriter& out) const override;
  Status restore_position(StateReader& in) override;
  std::vector<Oversized> take_oversized() override {
    std::vector<Oversized> taken;
    taken.swap(oversized_);
    return taken;
  }

 private:
  enum class Change : uint8_t { kNone, kTruncated, kReplaced };

  Status open_file(const std::string& path, uint64_t offset, uint64_t line);
  void close_file();
  Result<bool> open_next();
  Result<size_t> fill();
  Result<Change> check_change();
  // Takes the unterminated rest of the current file as its last line, marks the file done and
  // closes it.
  void finish_file(RawLines& out, size_t& n);
  void take(std::string_view line, RawLines& out, size_t& n) {
    ++line_;
    if (line_ == 1 && line.starts_with(kBom)) line.remove_prefix(kBom.size());
    out.add(line, line_, path_);
    ++n;
  }
  void list_dir(std::vector<std::string>& names) const;
  const std::string* first_pending(const std::vector<std::string>& names) const {
    for (const auto& name : names) {
      if (done_.count(name) == 0 && name != current_name_) return &name;
    }
    return nullptr;
  }

  FileSource::Options options_;
  bool is_dir_;
  Canceller canceller_;
  LineSplitter split_;
  // The file being read.
  int fd_ = -1;
  gzFile gz_ = nullptr;
  std::string path_;          // its path (the origin of its lines)
  std::string current_name_;  // directory mode: its name in the directory
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  uint64_t read_offset_ = 0;    // bytes read from it (uncompressed)
  uint64_t line_ = 0;           // lines taken from it
  bool single_done_ = false;    // single file, no follow: read to its end
  std::set<std::string> done_;  // directory mode: names read to their end
  bool ended_ = false;
  std::vector<Oversized> oversized_;
  std::vector<std::string> names_;  // scratch for directory listings
};

void FileSourceImpl::list_dir(std::vector<std::string>& names) const {
  names.clear();
  DIR* dir = ::opendir(options_.path.c_str());
  if (dir == nullptr) return;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    const std::string full = options_.path + "/" + entry->d_name;
    struct stat st {};
    if (::stat(full.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    names.emplace_back(entry->d_name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
}

Status FileSourceImpl::open_file(const std::string& path, uint64_t offset, uint64_t line) {
  close_file();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    if (e == ENOENT) return Status::not_found(fmt::format("{}: no such file", path));
    return Status::data_loss(fmt::format("{}: cannot open: {}", path, std::strerror(e)));
  }
  struct stat st {};
  ::fstat(fd, &st);
  if (ends_with_gz(path)) {
    gz_ = ::gzdopen(fd, "rb");
    if (gz_ == nullptr) {
      ::close(fd);
      return Status::data_loss(fmt::format("{}: cannot open gzip stream", path));
    }
    ::gzbuffer(gz_, kChunk);
    if (offset > 0 &&
        ::gzseek(gz_, static_cast<z_off_t>(offset), SEEK_SET) != static_cast<z_off_t>(offset)) {
      ::gzclose(gz_);
      gz_ = nullptr;
      return Status::data_loss(
          fmt::format("{}: cannot resume at byte {}: the file is shorter", path, offset));
    }
  } else if (offset > 0) {
    if (static_cast<uint64_t>(st.st_size) < offset) {
      ::close(fd);
      return Status::data_loss(fmt::format("{}: cannot resume at byte {}: the file has {} bytes",
                                           path, offset, st.st_size));
    }
    ::lseek(fd, static_cast<off_t>(offset), SEEK_SET);
  }
  fd_ = fd;
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  path_ = path;
  read_offset_ = offset;
  line_ = line;
  split_.reset(offset);
  return Status();
}

void FileSourceImpl::close_file() {
  if (gz_ != nullptr) {
    ::gzclose(gz_);  // closes fd_ too
    gz_ = nullptr;
    fd_ = -1;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<bool> FileSourceImpl::open_next() {
  if (!is_dir_) {
    if (single_done_) return false;
    Status s = open_file(options_.path, 0, 0);
    if (s.ok()) return true;
    // A followed file may be away for a moment (rotation); otherwise it vanished.
    if (options_.follow && s.code() == StatusCode::kNotFound) return false;
    return s;
  }
  list_dir(names_);
  for (;;) {
    const std::string* next = first_pending(names_);
    if (next == nullptr) return false;
    current_name_ = *next;
    Status s = open_file(options_.path + "/" + *next, 0, 0);
    if (s.ok()) return true;
    if (s.code() != StatusCode::kNotFound) return s;
    done_.insert(current_name_);  // deleted since the listing: nothing to read
    current_name_.clear();
  }
}

Result<size_t> FileSourceImpl::fill() {
  char* p = split_.prepare(kChunk);
  for (;;) {
    ssize_t n = 0;
    if (gz_ != nullptr) {
      n = ::gzread(gz_, p, static_cast<unsigned>(kChunk));
      if (n == 0 && !options_.follow) {
        int errnum = Z_OK;
        const char* message = ::gzerror(gz_, &errnum);
        if (errnum != Z_OK) {
          return Status::data_loss(fmt::format(
              "{}: read error: {}", path_,
              message != nullptr && *message != '\0' ? message : "truncated gzip data"));
        }
      }
    } else {
      n = ::read(fd_, p, kChunk);
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      if (gz_ != nullptr) {
        int errnum = 0;
        return Status::data_loss(fmt::format("{}: read error: {}", path_, ::gzerror(gz_, &errnum)));
      }
      return Status::data_loss(fmt::format("{}: read error: {}", path_, std::strerror(errno)));
    }
    split_.commit(static_cast<size_t>(n));
    read_offset_ += static_cast<uint64_t>(n);
    return static_cast<size_t>(n);
  }
}

Result<FileSourceImpl::Change> FileSourceImpl::check_change() {
  if (gz_ == nullptr) {
    struct stat st {};
    if (::fstat(fd_, &st) == 0 && static_cast<uint64_t>(st.st_size) < read_offset_) {
      return Change::kTruncated;
    }
  }
  if (is_dir_) {
    list_dir(names_);
    return first_pending(names_) != nullptr ? Change::kReplaced : Change::kNone;
  }
  struct stat st {};
  if (::stat(options_.path.c_str(), &st) != 0) return Change::kNone;  // rotated, not yet recreated
  if (st.st_dev != dev_ || st.st_ino != ino_) return Change::kReplaced;
  return Change::kNone;
}

void FileSourceImpl::finish_file(RawLines& out, size_t& n) {
  std::string_view line;
  switch (split_.take_rest(line)) {
    case LineSplitter::Got::kLine:
      take(line, out, n);
      break;
    case LineSplitter::Got::kOversized:
      ++line_;
      oversized_.push_back({path_, line_, split_.oversized_bytes()});
      break;
    case LineSplitter::Got::kNone:
      break;
  }
  close_file();
  if (is_dir_) {
    done_.insert(current_name_);
    current_name_.clear();
  } else if (!options_.follow) {
    single_done_ = true;
  }
}

Result<ReadStatus> FileSourceImpl::read(RawLines& out, size_t max_lines,
                                        std::chrono::milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  const auto poll_interval = std::chrono::milliseconds(options_.poll_interval_ms);
  size_t n = 0;
  auto idle = [&]() -> std::optional<ReadStatus> {
    if (n > 0) return ReadStatus::kData;
    const auto now = Clock::now();
    if (now >= deadline) return ReadStatus::kTimeout;
    canceller_.sleep(std::min<Clock::duration>(poll_interval, deadline - now));
    return std::nullopt;
  };
  if (max_lines == 0) return ReadStatus::kTimeout;
  for (;;) {
    if (canceller_.cancelled() || ended_) return n > 0 ? ReadStatus::kData : ReadStatus::kEnd;
    if (fd_ < 0) {
      RIVULET_ASSIGN_OR_RETURN(const bool opened, open_next());
      if (!opened) {
        if (!options_.follow) {
          ended_ = true;
          continue;
        }
        if (auto r = idle()) return *r;
        continue;
      }
    }
    while (n < max_lines) {
      std::string_view line;
      const LineSplitter::Got got = split_.next(line);
      if (got == LineSplitter::Got::kNone) break;
      if (got == LineSplitter::Got::kOversized) {
        ++line_;
        oversized_.push_back({path_, line_, split_.oversized_bytes()});
        continue;
      }
      take(line, out, n);
    }
    if (n == max_lines) return ReadStatus::kData;
    RIVULET_ASSIGN_OR_RETURN(const size_t got, fill());
    if (got > 0) continue;
    // At the end of what the file holds now.
    if (!options_.follow) {
      finish_file(out, n);
      continue;
    }
    RIVULET_ASSIGN_OR_RETURN(const Change change, check_change());
    if (change == Change::kTruncated) {
      // Read again from the start, as tail -F does; the lines restart at 1.
      if (gz_ == nullptr) ::lseek(fd_, 0, SEEK_SET);
      read_offset_ = 0;
      line_ = 0;
      split_.reset(0);
      continue;
    }
    if (change == Change::kReplaced) {
      // What the writer appended before the rotation is still in the old file.
      RIVULET_ASSIGN_OR_RETURN(const size_t more, fill());
      if (more > 0) continue;
      finish_file(out, n);
      continue;
    }
    if (auto r = idle()) return *r;
  }
}

void FileSourceImpl::save_position(StateWriter& out) const {
  const bool open = fd_ >= 0;
  const std::vector<std::string> done(done_.begin(), done_.end());
  out(std::string("file"), kPositionVersion, options_.path, open ? path_ : std::string(),
      open ? split_.boundary() : uint64_t{0}, open ? line_ : uint64_t{0}, single_done_, done);
}

Status FileSourceImpl::restore_position(StateReader& in) {
  std::string kind, source_path, path;
  uint32_t version = 0;
  uint64_t offset = 0, line = 0;
  bool single_done = false;
  std::vector<std::string> done;
  try {
    in(kind);
    if (kind != "file") {
      return Status::invalid_argument(
          fmt::format("file source: the saved position belongs to a {} source", kind));
    }
    in(version);
    if (version != kPositionVersion) {
      return Status::data_loss(fmt::format("file source: unknown position version {}", version));
    }
    in(source_path, path, offset, line, single_done, done);
  } catch (const std::exception& e) {
    return Status::data_loss(fmt::format("file source: corrupt saved position: {}", e.what()));
  }
  if (source_path != options_.path) {
    return Status::invalid_argument(
        fmt::format("file source: the saved position is for '{}', this source reads '{}'",
                    source_path, options_.path));
  }
  close_file();
  ended_ = false;
  single_done_ = single_done;
  done_ = std::set<std::string>(done.begin(), done.end());
  current_name_.clear();
  if (path.empty()) return Status();
  if (is_dir_) {
    const size_t slash = path.rfind('/');
    current_name_ = slash == std::string::npos ? path : path.substr(slash + 1);
  }
  return open_file(path, offset, line).with_context("file source");
}

}  // namespace

Result<std::unique_ptr<Source>> FileSource::create(Options options) {
  if (options.path.empty()) return Status::invalid_argument("file source: 'path' is required");
  if (options.poll_interval_ms <= 0) {
    return Status::invalid_argument(fmt::format(
        "file source: 'poll_interval_ms' must be > 0, got {}", options.poll_interval_ms));
  }
  if (options.max_line_bytes == 0) {
    return Status::invalid_argument("file source: 'max_line_bytes' must be > 0");
  }
  while (options.path.size() > 1 && options.path.back() == '/') options.path.pop_back();
  struct stat st {};
  if (::stat(options.path.c_str(), &st) != 0) {
    return Status::not_found(
        fmt::format("file source: path '{}': {}", options.path, std::strerror(errno)));
  }
  const bool is_dir = S_ISDIR(st.st_mode);
  if (!is_dir && !S_ISREG(st.st_mode)) {
    // A pipe would block in open() and read(), out of reach of cancel().
    return Status::invalid_argument(fmt::format(
        "file source: path '{}' is neither a regular file nor a directory (for a pipe, use the "
        "stdin source)",
        options.path));
  }
  return std::unique_ptr<Source>(new FileSourceImpl(std::move(options), is_dir));
}

}  // namespace rivulet::io
