#pragma once
/// State serialized in a forked copy of the process, as Redis's BGSAVE does, so that the thread
/// that owns the state stops only for fork(2) instead of for the whole serialization.
///
/// `start` forks. The child is a copy-on-write image of the process at that instant: the thread
/// that owns the state is inside `start`, so the state the child sees is exactly the state at
/// the barrier, whatever the parent does to its own copy afterwards. The child runs each part's
/// function in order, writes the bytes into an anonymous memory file (memfd) shared with the
/// parent, and exits. `finish` (on any thread of the parent) waits for the child and reads the
/// parts back. The parent's cost is fork(2) itself (copying page tables: 3-5 ms for the fraud
/// pipeline's 140 MB process, 11-18 ms for Nexmark q17's 520 MB) and a page copy for each page
/// it writes while the child lives; the child's serialization runs on another core meanwhile.
///
/// The child runs only the given functions: one thread (the one that called `start`), every
/// other thread absent. The functions must not take a lock that another thread may hold, wait
/// on another thread, or write to any file descriptor: the child closes every descriptor but
/// the memory file, ignores SIGINT, SIGTERM and SIGPIPE (a Ctrl-C to the terminal's process
/// group is for the parent, which then takes a savepoint), and ends with _exit, so that no
/// buffer or destructor of the parent's runs twice. glibc makes malloc usable in the child.
/// Thread safety: a ForkedSnapshot is used by one thread at a time; any number may run at once.
/// ```cpp example
/// using rivulet::checkpoint::ForkedSnapshot;
/// std::string state = "the state at the barrier";
/// auto snapshot = ForkedSnapshot::start({{"step-1", [&state] { return state; }}}).value();
/// state = "changed afterwards by the parent";
/// auto parts = snapshot.finish().value();
/// EXPECT_EQ(parts.at("step-1"), "the state at the barrier");
/// ```

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/status.h"

namespace rivulet::checkpoint {

class ForkedSnapshot {
 public:
  /// A part of a checkpoint: its name, and what makes its bytes (run in the child only).
  struct Part {
    std::string name;
    std::function<std::string()> bytes;
  };

  /// Forks a child that makes every part's bytes. kUnavailable (and nothing runs) when the
  /// memory file or the fork cannot be made (EAGAIN, ENOMEM): the caller then serializes in
  /// its own thread.
  static Result<ForkedSnapshot> start(const std::vector<Part>& parts);

  ForkedSnapshot(ForkedSnapshot&& other) noexcept;
  ForkedSnapshot& operator=(ForkedSnapshot&& other) noexcept;
  ForkedSnapshot(const ForkedSnapshot&) = delete;
  ForkedSnapshot& operator=(const ForkedSnapshot&) = delete;
  /// A child not finished is killed (SIGKILL) and reaped.
  ~ForkedSnapshot();

  /// Waits for the child and returns its parts by name. kInternal naming how the child ended
  /// (its exit status, or the signal that killed it) when it did not write every part, and
  /// kDataLoss when what it wrote does not parse. REQUIRES: called once.
  Result<std::map<std::string, std::string>> finish();

  pid_t pid() const { return pid_; }
  /// Whether the child `pid` (of a ForkedSnapshot) still runs: false once it has exited, or
  /// been reaped. Reaps nothing (`finish` does).
  static bool running(pid_t pid);
  /// The CPUs this process may run on: those of its affinity mask (taskset, a container's
  /// cpuset), fewer when its cgroup (v2, up to the root) has a CPU quota (`cpu.max`, a
  /// container's CPU limit), rounded up. With one, a child's serialization takes the CPU the
  /// parent would process on: a fork saves no time.
  static size_t cpus_available();
  /// The CPUs a cgroup v2 `cpu.max` line allows ("50000 100000": 1, "150000 100000": 2,
  /// "max 100000": SIZE_MAX), rounded up; SIZE_MAX when it does not parse.
  static size_t cpus_of_quota(std::string_view cpu_max);
  /// After a `finish` that succeeded: how long the child took to make the parts' bytes, about
  /// what the owner of the state would have paused to serialize them in place (somewhat more:
  /// the child's own new memory is copy-on-write too).
  int64_t serialize_ns() const { return serialize_ns_; }
  /// After a `finish` that succeeded: the longest any one part took, what serializing the parts
  /// in place on a thread each would have paused for.
  int64_t longest_part_ns() const { return longest_part_ns_; }
  /// After a `finish` that succeeded: the minor page faults of the thread that called `start`,
  /// as the child ended (-1 when /proc could not tell). The faults that thread took between
  /// the fork and then were copies of pages it shared with the child; later ones, of pages
  /// the child no longer holds, only make a page writable again.
  int64_t owner_faults_at_end() const { return owner_faults_at_end_; }

  /// What `make_writable` did.
  struct Rearmed {
    size_t pages = 0;       // resident pages made writable (or found so)
    int64_t ns = 0;         // the time it took
    bool complete = false;  // false: stopped by a fork, or the kernel lacks MADV_POPULATE_WRITE
  };
  /// After the last child has been reaped: makes every resident page of this process's private
  /// anonymous memory writable again, on the calling thread. A fork write-protects every page
  /// it shares; once the child is gone, the first write of the process to each page still
  /// faults, only to make it writable again (about a microsecond each: 110 ms for 400 MB here),
  /// and those faults land on whichever thread writes, usually the one that owns the most
  /// state. MADV_POPULATE_WRITE (Linux 5.14) takes them in the kernel, from a thread that has
  /// time (the checkpoint writer), at about 0.6 µs a page. Pages never touched stay untouched
  /// (mincore(2) picks the resident ones), so the process's memory does not grow. Works in
  /// 4 MiB steps and stops at the first step a child lives again: populating a page a child
  /// shares would copy it. Mappings over 64 GiB (reservations, such as a sanitizer's shadow
  /// memory) are skipped.
  static Rearmed make_writable();
  /// Children started and not yet reaped, in this process.
  static int live_children();

 private:
  ForkedSnapshot(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  void reset();

  pid_t pid_ = -1;
  int fd_ = -1;
  int64_t serialize_ns_ = -1;
  int64_t longest_part_ns_ = -1;
  int64_t owner_faults_at_end_ = -1;
};

/// What a copy-on-write page fault costs this process now: a few pages of its own, made before
/// a fork and written one at a time while the child shares them. The cost varies tenfold with what
/// else runs: on this project's 2-vCPU KVM machine a fault took 2.2 µs while no other thread
/// of the process ran, and 11-14 µs while one did on the other vCPU, whose TLB the kernel must
/// then flush by an interrupt (a 200 MB buffer written page by page after a fork, with and
/// without a second thread spinning). So a probe is best sampled a page at a time, spread over
/// the child's life, by the thread whose faults it prices: right after a fork, a pipeline's
/// other threads are often asleep. Thread safety: one thread at a time.
class CopyFaultProbe {
 public:
  static constexpr size_t kPages = 32;
  CopyFaultProbe();
  ~CopyFaultProbe();
  CopyFaultProbe(const CopyFaultProbe&) = delete;
  CopyFaultProbe& operator=(const CopyFaultProbe&) = delete;
  /// Forgets the samples: the next `sample` writes the first page again.
  void reset() { sampled_ = 0; }
  /// Writes a byte into the next page, timing the write. While a child forked after the pages
  /// were made still lives, the write is a copy-on-write fault; otherwise a store. False (and
  /// nothing written) when every page has been sampled since `reset`, or none could be mapped.
  bool sample();
  /// The mean of the samples since `reset` without the slowest eighth (a write the scheduler
  /// preempted says nothing about faults), in nanoseconds; -1 without samples.
  int64_t estimate() const;
  /// The pages sampled since `reset`.
  size_t sampled() const { return sampled_; }

 private:
  static constexpr size_t kPage = 4096;
  char* pages_ = nullptr;
  size_t size_;
  size_t sampled_ = 0;
  int64_t ns_[kPages] = {};
};

}  // namespace rivulet::checkpoint
