#include "rivulet/checkpoint/forked_snapshot.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <new>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace rivulet::checkpoint {
namespace {

// Every byte value, `size` bytes.
std::string all_bytes(size_t size) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>((i * 131 + i / 256) & 0xFF);
  return s;
}

TEST(ForkedSnapshotTest, TheChildSerializesTheStateAsItWasAtTheFork) {
  std::string big = all_bytes(5 << 20);  // larger than a pipe's buffer, many pages
  std::vector<int> counters(1000, 7);
  auto snapshot = ForkedSnapshot::start(
      {{"big", [&big] { return big; }},
       {"empty", [] { return std::string(); }},
       {"counters", [&counters] {
          std::string s;
          for (int c : counters) s += std::to_string(c) + ",";
          return s;
        }}});
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().to_string();
  EXPECT_GT(snapshot->pid(), 0);
  // The parent goes on changing its state: the child's copy is the state at the fork.
  const std::string before = big;
  for (char& c : big) c = 'x';
  counters.assign(1000, 9);
  auto parts = snapshot->finish();
  ASSERT_TRUE(parts.ok()) << parts.status().to_string();
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_TRUE(parts->at("big") == before);
  EXPECT_EQ(parts->at("empty"), "");
  std::string sevens;
  for (int i = 0; i < 1000; ++i) sevens += "7,";
  EXPECT_EQ(parts->at("counters"), sevens);
}

TEST(ForkedSnapshotTest, TheChildTimesItsSerialization) {
  auto snapshot = ForkedSnapshot::start({{"slow", [] {
                                            ::usleep(20000);
                                            return std::string("done");
                                          }}});
  ASSERT_TRUE(snapshot.ok());
  EXPECT_EQ(snapshot->serialize_ns(), -1);
  auto parts = snapshot->finish();
  ASSERT_TRUE(parts.ok()) << parts.status().to_string();
  EXPECT_GE(snapshot->serialize_ns(), 20'000'000);  // at least the part's 20 ms sleep
}

TEST(ForkedSnapshotTest, TheChildTimesEachPart) {
  const auto sleeping = [](int ms) {
    return [ms] {
      ::usleep(static_cast<useconds_t>(ms) * 1000);
      return std::string("slept");
    };
  };
  auto snapshot = ForkedSnapshot::start({{"a", sleeping(10)}, {"b", sleeping(30)}});
  ASSERT_TRUE(snapshot.ok());
  ASSERT_TRUE(snapshot->finish().ok());
  EXPECT_GE(snapshot->longest_part_ns(), 30'000'000);  // part b
  EXPECT_GE(snapshot->serialize_ns(), 40'000'000);     // both
  EXPECT_LT(snapshot->longest_part_ns(), snapshot->serialize_ns());
}

// The minor page faults of the calling thread so far.
int64_t my_faults() {
  struct rusage usage {};
  ::getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_minflt;
}

// A flag in memory shared with forked children (a mapping, not a descriptor: the child keeps
// it), for a part that waits until the parent has done something.
struct SharedFlag {
  SharedFlag()
      : flag(static_cast<std::atomic<int>*>(::mmap(nullptr, sizeof(std::atomic<int>),
                                                    PROT_READ | PROT_WRITE,
                                                    MAP_SHARED | MAP_ANONYMOUS, -1, 0))) {
    new (flag) std::atomic<int>(0);
  }
  ~SharedFlag() { ::munmap(flag, sizeof(std::atomic<int>)); }
  ForkedSnapshot::Part waiting_part() const {
    return {"waits", [f = flag] {
              while (f->load() == 0) ::usleep(100);
              return std::string("went on");
            }};
  }
  std::atomic<int>* flag;
};

TEST(ForkedSnapshotTest, TheChildReportsTheForkingThreadsFaultsAsItEnds) {
  constexpr size_t kPage = 4096, kPages = 200;
  std::vector<char> memory(kPages * kPage, 1);  // touched: the process's own pages
  SharedFlag go;
  auto snapshot = ForkedSnapshot::start({go.waiting_part()});
  ASSERT_TRUE(snapshot.ok());
  // While the child lives, each page written is copied: a fault each.
  const int64_t before = my_faults();
  for (size_t i = 0; i < kPages; ++i) memory[i * kPage] = 2;
  const int64_t written = my_faults();
  EXPECT_GE(written - before, static_cast<int64_t>(kPages) - 2);  // a page may straddle
  go.flag->store(1);
  ASSERT_TRUE(snapshot->finish().ok());
  // The child read the count after those faults, and before the ones below.
  EXPECT_GE(snapshot->owner_faults_at_end(), written);
  std::vector<char> more(100 * kPage, 1);  // 100 fresh pages: 100 more faults
  EXPECT_LT(snapshot->owner_faults_at_end(), my_faults() - 50);
}

// Every page of `probe` sampled afresh: the estimate.
int64_t sample_all(CopyFaultProbe& probe) {
  probe.reset();
  while (probe.sample()) {
  }
  return probe.estimate();
}

TEST(ForkedSnapshotTest, TheCopyFaultProbeFaultsOnlyWhileAChildSharesItsPages) {
  CopyFaultProbe probe;
  sample_all(probe);  // the first time, its frames may reach a stack page not touched before
  int64_t faults = my_faults();
  EXPECT_GE(sample_all(probe), 0);
  EXPECT_EQ(my_faults() - faults, 0);  // its own pages: plain stores
  SharedFlag go;
  auto snapshot = ForkedSnapshot::start({go.waiting_part()});
  ASSERT_TRUE(snapshot.ok());
  faults = my_faults();
  EXPECT_GT(sample_all(probe), 0);
  // A copy of each of its 32 pages, and perhaps of a page of this thread's stack (shared with
  // the child too).
  EXPECT_GE(my_faults() - faults, 32);
#ifndef __SANITIZE_ADDRESS__  // (AddressSanitizer's shadow memory is shared with it as well)
  EXPECT_LE(my_faults() - faults, 33);
#endif
  faults = my_faults();
  sample_all(probe);
  EXPECT_EQ(my_faults() - faults, 0);  // copied: its own again
  go.flag->store(1);
  ASSERT_TRUE(snapshot->finish().ok());
}

TEST(ForkedSnapshotTest, RunningSaysWhetherTheChildHasExitedWithoutReapingIt) {
  SharedFlag go;
  auto snapshot = ForkedSnapshot::start({go.waiting_part()});
  ASSERT_TRUE(snapshot.ok());
  const pid_t pid = snapshot->pid();
  EXPECT_TRUE(ForkedSnapshot::running(pid));
  go.flag->store(1);
  for (int i = 0; i < 5000 && ForkedSnapshot::running(pid); ++i) ::usleep(1000);
  EXPECT_FALSE(ForkedSnapshot::running(pid));  // exited, not reaped: its parts are still there
  auto parts = snapshot->finish();
  ASSERT_TRUE(parts.ok()) << parts.status().to_string();
  EXPECT_EQ(parts->at("waits"), "went on");
  EXPECT_FALSE(ForkedSnapshot::running(pid));  // reaped
}

TEST(ForkedSnapshotTest, TheProbeSamplesAPageAtATime) {
  CopyFaultProbe probe;
  EXPECT_EQ(probe.estimate(), -1);
  SharedFlag go;
  auto snapshot = ForkedSnapshot::start({go.waiting_part()});
  ASSERT_TRUE(snapshot.ok());
  const int64_t faults = my_faults();
  for (size_t i = 0; i < 5; ++i) ASSERT_TRUE(probe.sample());
#ifdef __SANITIZE_ADDRESS__
  // AddressSanitizer writes its shadow memory as the code runs, and the child shares it too.
  EXPECT_GE(my_faults() - faults, 5);
#else
  EXPECT_EQ(my_faults() - faults, 5);  // a copy of each page sampled, no more
#endif
  EXPECT_EQ(probe.sampled(), 5u);
  EXPECT_GT(probe.estimate(), 0);
  size_t more = 0;
  while (probe.sample()) ++more;
  EXPECT_EQ(more, CopyFaultProbe::kPages - 5);
  probe.reset();
  EXPECT_EQ(probe.sampled(), 0u);
  EXPECT_EQ(probe.estimate(), -1);
  go.flag->store(1);
  ASSERT_TRUE(snapshot->finish().ok());
}

TEST(ForkedSnapshotTest, NoPartsIsAnEmptyMap) {
  auto snapshot = ForkedSnapshot::start({});
  ASSERT_TRUE(snapshot.ok());
  auto parts = snapshot->finish();
  ASSERT_TRUE(parts.ok()) << parts.status().to_string();
  EXPECT_TRUE(parts->empty());
}

TEST(ForkedSnapshotTest, AChildThatDiesIsAnErrorNamingTheSignal) {
  // (SIGILL, not SIGSEGV: AddressSanitizer's runtime catches that one and exits with 1.)
  auto snapshot = ForkedSnapshot::start({{"a", [] { return std::string("fine"); }},
                                         {"b", []() -> std::string {
                                            ::raise(SIGILL);
                                            return "unreachable";
                                          }}});
  ASSERT_TRUE(snapshot.ok());
  const pid_t pid = snapshot->pid();
  auto parts = snapshot->finish();
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.status().code(), StatusCode::kInternal);
  EXPECT_EQ(parts.status().message(),
            "snapshot process " + std::to_string(pid) + " was killed by signal 4 (" +
                ::strsignal(SIGILL) + ")");
}

TEST(ForkedSnapshotTest, AChildThatCannotWriteItsMemoryFileIsAnError) {
  auto snapshot = ForkedSnapshot::start({{"a", []() {
    // In the child only: a file may not grow past 0 bytes, and a write beyond fails (EFBIG)
    // instead of raising SIGXFSZ. The memory file is a file: the part's bytes cannot go in.
    ::signal(SIGXFSZ, SIG_IGN);
    const struct rlimit none {0, 0};
    ::setrlimit(RLIMIT_FSIZE, &none);
    return std::string(1000, 'x');
  }}});
  ASSERT_TRUE(snapshot.ok());
  const pid_t pid = snapshot->pid();
  auto parts = snapshot->finish();
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.status().code(), StatusCode::kInternal);
  EXPECT_EQ(parts.status().message(), "snapshot process " + std::to_string(pid) +
                                          " could not write its memory file (out of memory?)");
  EXPECT_EQ(ForkedSnapshot::live_children(), 0);
}

TEST(ForkedSnapshotTest, AChildReapedElsewhereIsAnErrorNotAWaitForever) {
  auto snapshot = ForkedSnapshot::start({{"a", [] { return std::string("fine"); }}});
  ASSERT_TRUE(snapshot.ok());
  const pid_t pid = snapshot->pid();
  ASSERT_EQ(::waitpid(pid, nullptr, 0), pid);  // another part of the process reaps it first
  auto parts = snapshot->finish();
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.status().code(), StatusCode::kInternal);
  EXPECT_EQ(parts.status().message(), "snapshot process " + std::to_string(pid) +
                                          ": cannot wait for it: " + std::strerror(ECHILD));
  EXPECT_EQ(ForkedSnapshot::live_children(), 0);
}

TEST(ForkedSnapshotTest, OutputThatDoesNotParseIsDataLoss) {
  // A step that writes into the child's only open descriptor, the memory file, ahead of what
  // the child writes: the first name length read is then 3 stray bytes and the first of the
  // real one, far past the file's end.
  auto snapshot = ForkedSnapshot::start({{"a", [] {
                                            for (int fd = 0; fd < 1024; ++fd) {
                                              if (::fcntl(fd, F_GETFD) >= 0) {
                                                (void)!::write(fd, "xyz", 3);
                                                break;
                                              }
                                            }
                                            return std::string("ok");
                                          }}});
  ASSERT_TRUE(snapshot.ok());
  const pid_t pid = snapshot->pid();
  auto parts = snapshot->finish();
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.status().code(), StatusCode::kDataLoss);
  // 3 stray bytes, the part (4 + 1 + 8 + 2 + 8) and the end (4 + 8 + 8 + 8): 54 bytes.
  EXPECT_EQ(parts.status().message(), "snapshot process " + std::to_string(pid) +
                                          ": its output ends inside a part (at byte 4 of 54)");
}

TEST(ForkedSnapshotTest, AStepThatThrowsInTheChildIsAnError) {
  auto snapshot = ForkedSnapshot::start({{"a", []() -> std::string {
                                            throw std::runtime_error("no");
                                          }}});
  ASSERT_TRUE(snapshot.ok());
  const pid_t pid = snapshot->pid();
  auto parts = snapshot->finish();
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.status().message(),
            "snapshot process " + std::to_string(pid) + " failed: a step's snapshot threw");
}

TEST(ForkedSnapshotTest, TheChildHasNoneOfTheParentsDescriptorsAndIgnoresStopSignals) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  auto snapshot = ForkedSnapshot::start({{"probe", [&fds] {
                                            std::string s;
                                            for (const int fd : {0, 1, 2, fds[0], fds[1]}) {
                                              const bool open = ::fcntl(fd, F_GETFD) >= 0;
                                              s += open ? "open " : "closed ";
                                            }
                                            // A Ctrl-C or a SIGTERM to the process group is
                                            // the parent's to handle.
                                            ::raise(SIGINT);
                                            ::raise(SIGTERM);
                                            return s + "alive";
                                          }}});
  ASSERT_TRUE(snapshot.ok());
  auto parts = snapshot->finish();
  ASSERT_TRUE(parts.ok()) << parts.status().to_string();
  EXPECT_EQ(parts->at("probe"), "closed closed closed closed closed alive");
  // The parent's own stay open.
  EXPECT_GE(::fcntl(fds[0], F_GETFD), 0);
  EXPECT_GE(::fcntl(fds[1], F_GETFD), 0);
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST(ForkedSnapshotTest, AnUnfinishedSnapshotIsKilledAndReaped) {
  pid_t pid = 0;
  {
    auto snapshot = ForkedSnapshot::start({{"forever", []() -> std::string {
                                              for (;;) ::pause();
                                            }}});
    ASSERT_TRUE(snapshot.ok());
    pid = snapshot->pid();
    ASSERT_EQ(::kill(pid, 0), 0);
    // Moved: the new owner kills it.
    ForkedSnapshot moved = std::move(*snapshot);
    EXPECT_EQ(moved.pid(), pid);
  }
  // Killed and reaped: no process, not even a zombie, has the pid any more.
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
}

// Writes a byte into each of `pages` pages from `base`; the calling thread's faults meanwhile.
int64_t faults_writing(char* base, size_t pages) {
  const int64_t before = my_faults();
  for (size_t i = 0; i < pages; ++i) base[i * 4096] ^= 1;
  return my_faults() - before;
}

TEST(ForkedSnapshotTest, MakeWritableTakesTheFaultsAChildLeftBehindAndTouchesNoOtherPage) {
  constexpr size_t kPage = 4096, kPages = 512, kUntouched = 64;
  auto* memory = static_cast<char*>(::mmap(nullptr, kPages * kPage, PROT_READ | PROT_WRITE,
                                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  auto* untouched = static_cast<char*>(::mmap(nullptr, kUntouched * kPage,
                                              PROT_READ | PROT_WRITE,
                                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(memory, MAP_FAILED);
  ASSERT_NE(untouched, MAP_FAILED);
  std::memset(memory, 1, kPages * kPage);
  const auto fork_and_finish = [] {
    auto snapshot = ForkedSnapshot::start({{"a", [] { return std::string("a"); }}});
    ASSERT_TRUE(snapshot.ok());
    EXPECT_EQ(ForkedSnapshot::live_children(), 1);
    ASSERT_TRUE(snapshot->finish().ok());
    EXPECT_EQ(ForkedSnapshot::live_children(), 0);
  };
  // The child is gone, yet the first write to each page it shared faults.
  fork_and_finish();
  EXPECT_GE(faults_writing(memory, kPages), static_cast<int64_t>(kPages));
  // Unless make_writable took those faults first.
  fork_and_finish();
  const ForkedSnapshot::Rearmed rearmed = ForkedSnapshot::make_writable();
  if (!rearmed.complete) GTEST_SKIP() << "this kernel has no MADV_POPULATE_WRITE (Linux 5.14)";
  EXPECT_GE(rearmed.pages, kPages);
  EXPECT_GT(rearmed.ns, 0);
  EXPECT_LT(faults_writing(memory, kPages), static_cast<int64_t>(kPages / 16));
  // Memory never written stays unallocated: make_writable takes resident pages only.
  std::vector<unsigned char> resident(kUntouched, 1);
  ASSERT_EQ(::mincore(untouched, kUntouched * kPage, resident.data()), 0);
  EXPECT_EQ(std::count_if(resident.begin(), resident.end(), [](unsigned char r) { return r & 1; }),
            0);
  ::munmap(memory, kPages * kPage);
  ::munmap(untouched, kUntouched * kPage);
}

TEST(ForkedSnapshotTest, MakeWritableDoesNothingWhileAChildLives) {
  constexpr size_t kPage = 4096, kPages = 256;
  std::vector<char> memory(kPages * kPage, 1);
  SharedFlag go;
  auto snapshot = ForkedSnapshot::start({go.waiting_part()});
  ASSERT_TRUE(snapshot.ok());
  // Populating now would copy every page the child shares: it returns at once.
  const ForkedSnapshot::Rearmed rearmed = ForkedSnapshot::make_writable();
  EXPECT_FALSE(rearmed.complete);
  EXPECT_EQ(rearmed.pages, 0u);
  // The pages are still shared: writing them copies each.
  EXPECT_GE(faults_writing(memory.data() + kPage, kPages - 1), static_cast<int64_t>(kPages - 1));
  go.flag->store(1);
  ASSERT_TRUE(snapshot->finish().ok());
  EXPECT_EQ(ForkedSnapshot::live_children(), 0);
}

TEST(ForkedSnapshotTest, ACgroupsCpuQuotaInCpusRoundedUp) {
  EXPECT_EQ(ForkedSnapshot::cpus_of_quota("50000 100000\n"), 1u);
  EXPECT_EQ(ForkedSnapshot::cpus_of_quota("100000 100000"), 1u);
  EXPECT_EQ(ForkedSnapshot::cpus_of_quota("100001 100000"), 2u);
  EXPECT_EQ(ForkedSnapshot::cpus_of_quota("150000 100000"), 2u);
  EXPECT_EQ(ForkedSnapshot::cpus_of_quota("400000 100000"), 4u);
  EXPECT_EQ(ForkedSnapshot::cpus_of_quota("max 100000\n"), SIZE_MAX);
  EXPECT_EQ(ForkedSnapshot::cpus_of_quota(""), SIZE_MAX);
  EXPECT_EQ(ForkedSnapshot::cpus_of_quota("0 100000"), SIZE_MAX);
  EXPECT_EQ(ForkedSnapshot::cpus_of_quota("50000 0"), SIZE_MAX);
  EXPECT_EQ(ForkedSnapshot::cpus_of_quota("maxi"), SIZE_MAX);
}

TEST(ForkedSnapshotTest, CpusAvailableFollowTheAffinityMask) {
  cpu_set_t all;
  ASSERT_EQ(::sched_getaffinity(0, sizeof all, &all), 0);
  const size_t n = ForkedSnapshot::cpus_available();
  EXPECT_GE(n, 1u);
  EXPECT_LE(n, static_cast<size_t>(CPU_COUNT(&all)));
  // Held to the first CPU of the mask (as `taskset -c 0` would): one.
  cpu_set_t one;
  CPU_ZERO(&one);
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &all)) {
      CPU_SET(c, &one);
      break;
    }
  }
  ASSERT_EQ(::sched_setaffinity(0, sizeof one, &one), 0);
  const size_t pinned = ForkedSnapshot::cpus_available();
  ASSERT_EQ(::sched_setaffinity(0, sizeof all, &all), 0);
  EXPECT_EQ(pinned, 1u);
  EXPECT_EQ(ForkedSnapshot::cpus_available(), n);
}

TEST(ForkedSnapshotTest, ThreadsForkAtTheSameTime) {
#ifdef __SANITIZE_ADDRESS__
  // GCC 12's AddressSanitizer does not hold its allocator's locks across fork(2), as glibc's
  // malloc does: a child forked while another thread allocates can wait on them forever.
  GTEST_SKIP() << "AddressSanitizer's allocator is not safe to fork from threads";
#endif
  // Partition workers reach a barrier together and each forks for its own state.
  constexpr int kThreads = 4;
  std::vector<std::string> state(kThreads);
  std::vector<std::string> got(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &state, &got] {
      for (int round = 0; round < 5; ++round) {
        state[t] = all_bytes(100000 + t * 1000 + round);
        auto snapshot = ForkedSnapshot::start({{"s", [t, &state] { return state[t]; }}});
        if (!snapshot.ok()) return;
        const std::string expected = state[t];
        state[t].clear();
        auto parts = snapshot->finish();
        if (!parts.ok() || parts->at("s") != expected) return;
      }
      got[t] = "ok";
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(got[t], "ok") << "thread " << t;
}

}  // namespace
}  // namespace rivulet::checkpoint
