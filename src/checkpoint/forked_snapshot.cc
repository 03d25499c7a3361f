// Serializing state in a forked child (include/rivulet/checkpoint/forked_snapshot.h).
//
// What the child writes into the memory file, in the machine's byte order (the reader is the
// same binary on the same machine): for each part, its name's length (u32), the name, its
// bytes' length (u64), the bytes and the nanoseconds its function took (i64, steady clock);
// then kEnd (u32), the number of parts (u64), the nanoseconds all the functions took (i64) and
// the minor page faults of the parent's thread that forked, read from /proc as the child ends
// (i64, -1 when unreadable). A child that stops early leaves no end marker, so a short file is
// never taken for a whole one.

#include "rivulet/checkpoint/forked_snapshot.h"

#include <fcntl.h>
#include <sched.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

namespace rivulet::checkpoint {

namespace {

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14; older kernels answer EINVAL
#endif

constexpr uint32_t kEnd = 0xFFFFFFFFu;
// Children forked and not yet reaped (counted from just before fork(2)).
std::atomic<int> g_live{0};
// The kernel answered EINVAL to MADV_POPULATE_WRITE: make_writable does nothing more.
std::atomic<bool> g_no_populate{false};
// The child's exit statuses other than 0.
constexpr int kWriteFailed = 101;
constexpr int kThrew = 102;

bool write_all(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The minor page faults of thread `tid` of process `pid` (field 10 of its /proc stat line), or
// -1 when they cannot be read.
int64_t thread_minor_faults(pid_t pid, pid_t tid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/task/%d/stat", static_cast<int>(pid),
                static_cast<int>(tid));
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[1024];
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return -1;
  // The name (field 2) is in parentheses and may hold spaces: count fields after its last ')'.
  const std::string_view line(buf, static_cast<size_t>(n));
  size_t at = line.rfind(')');
  if (at == std::string_view::npos) return -1;
  for (int field = 2; field < 10; ++field) {  // to the space before field 10
    at = line.find(' ', at + 1);
    if (at == std::string_view::npos) return -1;
  }
  buf[n] = '\0';
  char* end = nullptr;
  const long long faults = std::strtoll(buf + at + 1, &end, 10);
  return end == buf + at + 1 ? -1 : faults;
}

// The child: from fork to _exit. Never returns. `owner`: the parent's thread that forked.
[[noreturn]] void run_child(int fd, const std::vector<ForkedSnapshot::Part>& parts, pid_t owner) {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  for (const int sig : {SIGINT, SIGTERM, SIGPIPE}) ::sigaction(sig, &ignore, nullptr);
  // Every descriptor but the memory file: the parent's files, sockets and pipes are its own.
  if (fd > 0) ::close_range(0, static_cast<unsigned>(fd) - 1, 0);
  ::close_range(static_cast<unsigned>(fd) + 1, ~0u, 0);
  int status = 0;
  try {
    const int64_t t0 = steady_ns();
    for (const ForkedSnapshot::Part& part : parts) {
      const int64_t part_t0 = steady_ns();
      const std::string bytes = part.bytes();
      const int64_t part_ns = steady_ns() - part_t0;
      const auto name_size = static_cast<uint32_t>(part.name.size());
      const uint64_t size = bytes.size();
      if (!write_all(fd, &name_size, sizeof name_size) ||
          !write_all(fd, part.name.data(), part.name.size()) ||
          !write_all(fd, &size, sizeof size) || !write_all(fd, bytes.data(), bytes.size()) ||
          !write_all(fd, &part_ns, sizeof part_ns)) {
        ::_exit(kWriteFailed);
      }
    }
    const int64_t ns = steady_ns() - t0;
    const int64_t owner_faults = thread_minor_faults(::getppid(), owner);
    const uint64_t count = parts.size();
    if (!write_all(fd, &kEnd, sizeof kEnd) || !write_all(fd, &count, sizeof count) ||
        !write_all(fd, &ns, sizeof ns) || !write_all(fd, &owner_faults, sizeof owner_faults)) {
      status = kWriteFailed;
    }
  } catch (...) {
    status = kThrew;
  }
  ::_exit(status);
}

std::string describe_end(int wstatus) {
  if (WIFSIGNALED(wstatus)) {
    return fmt::format("was killed by signal {} ({})", WTERMSIG(wstatus),
                       ::strsignal(WTERMSIG(wstatus)));
  }
  switch (WEXITSTATUS(wstatus)) {
    case kWriteFailed:
      return "could not write its memory file (out of memory?)";
    case kThrew:
      return "failed: a step's snapshot threw";
    default:
      return fmt::format("exited with status {}", WEXITSTATUS(wstatus));
  }
}

}  // namespace

Result<ForkedSnapshot> ForkedSnapshot::start(const std::vector<Part>& parts) {
  const int fd = ::memfd_create("rivulet-snapshot", MFD_CLOEXEC);
  if (fd < 0) {
    return Status(StatusCode::kUnavailable,
                  fmt::format("cannot create a memory file: {}", std::strerror(errno)));
  }
  const pid_t owner = ::gettid();
  g_live.fetch_add(1);
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    g_live.fetch_sub(1);
    ::close(fd);
    return Status(StatusCode::kUnavailable, fmt::format("cannot fork: {}", std::strerror(err)));
  }
  if (pid == 0) run_child(fd, parts, owner);
  return ForkedSnapshot(pid, fd);
}

CopyFaultProbe::CopyFaultProbe() : size_(kPages * kPage) {
  void* p = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    size_ = 0;
    return;
  }
  pages_ = static_cast<char*>(p);
  ::madvise(pages_, size_, MADV_NOHUGEPAGE);  // 4 KiB pages: one fault each
  std::memset(pages_, 1, size_);              // present and the process's own until a fork
}

CopyFaultProbe::~CopyFaultProbe() {
  if (pages_ != nullptr) ::munmap(pages_, size_);
}

bool CopyFaultProbe::sample() {
  if (pages_ == nullptr || sampled_ == kPages) return false;
  const int64_t t0 = steady_ns();
  // A volatile store: the write must happen between the two clock reads.
  volatile char* byte = pages_ + sampled_ * kPage;
  *byte = static_cast<char>(*byte + 1);
  ns_[sampled_++] = steady_ns() - t0;
  return true;
}

int64_t CopyFaultProbe::estimate() const {
  if (sampled_ == 0) return -1;
  // Sorted on the stack, not the heap: no fault of its own on a page shared with a child.
  std::array<int64_t, kPages> sorted;
  std::copy(ns_, ns_ + sampled_, sorted.begin());
  std::sort(sorted.begin(), sorted.begin() + static_cast<ptrdiff_t>(sampled_));
  const size_t kept = sampled_ - sampled_ / 8;
  int64_t sum = 0;
  for (size_t i = 0; i < kept; ++i) sum += sorted[i];
  return sum / static_cast<int64_t>(kept);
}

int ForkedSnapshot::live_children() { return g_live.load(); }

ForkedSnapshot::Rearmed ForkedSnapshot::make_writable() {
  Rearmed out;
  const int64_t t0 = steady_ns();
  const auto done = [&](bool complete) {
    out.ns = steady_ns() - t0;
    out.complete = complete;
    return out;
  };
  if (g_no_populate.load() || g_live.load() != 0) return done(false);
  const std::unique_ptr<FILE, int (*)(FILE*)> maps(std::fopen("/proc/self/maps", "re"),
                                                   &std::fclose);
  if (!maps) return done(false);
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  constexpr uintptr_t kStep = uintptr_t{1} << 22;
  // A mapping this large is a reservation, not data (a sanitizer's shadow memory, a runtime's
  // address space kept for later): walking it a step at a time would take seconds.
  constexpr uintptr_t kLargestMapping = uintptr_t{64} << 30;
  std::vector<unsigned char> resident(kStep / page);
  char line[8192];
  bool line_start = true;  // whether the next fgets starts a line (not an overlong path's rest)
  while (std::fgets(line, sizeof line, maps.get()) != nullptr) {
    const bool starts = line_start;
    line_start = std::strchr(line, '\n') != nullptr;
    if (!starts) continue;
    // "lo-hi perms offset dev inode [path]": private writable memory, anonymous or the heap.
    unsigned long lo = 0, hi = 0;
    char perms[5] = {};
    int path_at = 0;
    if (std::sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &lo, &hi, perms, &path_at) < 3) continue;
    std::string_view path(line + path_at);
    while (!path.empty() && path.back() == '\n') path.remove_suffix(1);
    if (std::string_view(perms) != "rw-p" || !(path.empty() || path == "[heap]") ||
        hi - lo > kLargestMapping) {
      continue;
    }
    for (uintptr_t at = lo; at < hi; at += kStep) {
      if (g_live.load() != 0) return done(false);
      const uintptr_t len = std::min<uintptr_t>(kStep, hi - at);
      if (::mincore(reinterpret_cast<void*>(at), len, resident.data()) != 0) continue;
      const size_t n = len / page;
      for (size_t i = 0; i < n;) {
        if (!(resident[i] & 1)) {
          ++i;
          continue;
        }
        size_t j = i;
        while (j < n && (resident[j] & 1)) ++j;
        if (::madvise(reinterpret_cast<void*>(at + i * page), (j - i) * page,
                      MADV_POPULATE_WRITE) == 0) {
          out.pages += j - i;
        } else if (errno == EINVAL) {
          g_no_populate.store(true);
          return done(false);
        }  // else unmapped meanwhile (ENOMEM, EFAULT): nothing to do there
        i = j;
      }
    }
  }
  return done(true);
}

bool ForkedSnapshot::running(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid == 0;
}

size_t ForkedSnapshot::cpus_of_quota(std::string_view cpu_max) {
  unsigned long long quota = 0, period = 0;
  char max[4] = {};
  const std::string line(cpu_max);
  if (std::sscanf(line.c_str(), "%3s %llu", max, &period) == 2 && std::string_view(max) == "max") {
    return SIZE_MAX;
  }
  if (std::sscanf(line.c_str(), "%llu %llu", &quota, &period) != 2 || period == 0 || quota == 0) {
    return SIZE_MAX;
  }
  return static_cast<size_t>((quota + period - 1) / period);
}

size_t ForkedSnapshot::cpus_available() {
  size_t cpus = SIZE_MAX;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) cpus = static_cast<size_t>(CPU_COUNT(&set));
  // cgroup v2: "0::/path" in /proc/self/cgroup; each cgroup from it up to the root may limit.
  std::string path;
  if (FILE* f = std::fopen("/proc/self/cgroup", "re")) {
    char line[4096];
    while (std::fgets(line, sizeof line, f) != nullptr) {
      std::string_view l(line);
      if (l.substr(0, 3) != "0::") continue;
      l.remove_prefix(3);
      while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.remove_suffix(1);
      path = std::string(l);
    }
    std::fclose(f);
  }
  while (!path.empty()) {
    if (FILE* f = std::fopen(("/sys/fs/cgroup" + path + "/cpu.max").c_str(), "re")) {
      char line[128] = {};
      if (std::fgets(line, sizeof line, f) != nullptr) cpus = std::min(cpus, cpus_of_quota(line));
      std::fclose(f);
    }
    const size_t slash = path.rfind('/');
    path.resize(slash == std::string::npos ? 0 : slash);
  }
  return std::max<size_t>(cpus == SIZE_MAX ? 1 : cpus, 1);
}

ForkedSnapshot::ForkedSnapshot(ForkedSnapshot&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      fd_(std::exchange(other.fd_, -1)),
      serialize_ns_(other.serialize_ns_),
      longest_part_ns_(other.longest_part_ns_),
      owner_faults_at_end_(other.owner_faults_at_end_) {}

ForkedSnapshot& ForkedSnapshot::operator=(ForkedSnapshot&& other) noexcept {
  if (this != &other) {
    reset();
    pid_ = std::exchange(other.pid_, -1);
    fd_ = std::exchange(other.fd_, -1);
    serialize_ns_ = other.serialize_ns_;
    longest_part_ns_ = other.longest_part_ns_;
    owner_faults_at_end_ = other.owner_faults_at_end_;
  }
  return *this;
}

ForkedSnapshot::~ForkedSnapshot() { reset(); }

void ForkedSnapshot::reset() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    g_live.fetch_sub(1);
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

Result<std::map<std::string, std::string>> ForkedSnapshot::finish() {
  int wstatus = 0;
  pid_t r;
  while ((r = ::waitpid(pid_, &wstatus, 0)) < 0 && errno == EINTR) {
  }
  const pid_t pid = pid_;
  pid_ = -1;
  g_live.fetch_sub(1);
  if (r < 0) {
    const int err = errno;
    reset();
    return Status(StatusCode::kInternal,
                  fmt::format("snapshot process {}: cannot wait for it: {}", pid,
                              std::strerror(err)));
  }
  if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
    reset();
    return Status(StatusCode::kInternal,
                  fmt::format("snapshot process {} {}", pid, describe_end(wstatus)));
  }
  struct stat st {};
  const uint64_t file_size = ::fstat(fd_, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  // Each part is read straight into its string: one copy of the bytes in the parent.
  uint64_t at = 0;
  const auto read = [&](void* out, uint64_t n) {
    if (file_size - at < n) return false;
    char* p = static_cast<char*>(out);
    for (uint64_t done = 0; done < n;) {
      const ssize_t got = ::pread(fd_, p + done, n - done, static_cast<off_t>(at + done));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return false;
      done += static_cast<uint64_t>(got);
    }
    at += n;
    return true;
  };
  const auto corrupt = [&](std::string_view what) {
    return Status(StatusCode::kDataLoss,
                  fmt::format("snapshot process {}: its output {} (at byte {} of {})", pid, what,
                              at, file_size));
  };
  std::map<std::string, std::string> parts;
  int64_t longest = 0;
  for (;;) {
    uint32_t name_size = 0;
    if (!read(&name_size, sizeof name_size)) {
      reset();
      return corrupt("ends without its end marker");
    }
    if (name_size == kEnd) break;
    std::string name(name_size, '\0');
    uint64_t size = 0;
    if (!read(name.data(), name_size) || !read(&size, sizeof size) || file_size - at < size) {
      reset();
      return corrupt("ends inside a part");
    }
    std::string bytes(size, '\0');
    if (!read(bytes.data(), size)) {
      reset();
      return corrupt("cannot be read: " + std::string(std::strerror(errno)));
    }
    int64_t part_ns = 0;
    if (!read(&part_ns, sizeof part_ns)) {
      reset();
      return corrupt("ends inside a part");
    }
    longest = std::max(longest, part_ns);
    parts[std::move(name)] = std::move(bytes);
  }
  uint64_t count = 0;
  int64_t ns = 0, owner_faults = -1;
  const bool whole = read(&count, sizeof count) && count == parts.size() &&
                     read(&ns, sizeof ns) && read(&owner_faults, sizeof owner_faults) &&
                     at == file_size;
  reset();
  serialize_ns_ = ns;
  longest_part_ns_ = longest;
  owner_faults_at_end_ = owner_faults;
  if (!whole) return corrupt("has a wrong part count or trailing bytes");
  return parts;
}

}  // namespace rivulet::checkpoint
