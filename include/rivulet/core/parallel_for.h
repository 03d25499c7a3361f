#pragma once
/// Runs the independent tasks of one step on a fixed set of threads: the trees of a forest
/// learning one sample, the members of an ensemble. A step is short (a few microseconds), so the
/// workers spin for a while between steps before they sleep, and the calling thread takes tasks
/// too. Tasks must be independent (each touches only its own state); callers reduce their
/// results afterwards in a fixed order, so the outcome does not depend on the thread count.
/// Thread safety: run() is called by one thread at a time (the owner of the model).
/// ```cpp example
/// rivulet::ParallelFor pool(2);
/// std::vector<int> squares(100);
/// pool.run(squares.size(), [&](size_t i) { squares[i] = static_cast<int>(i * i); });
/// EXPECT_EQ(squares[99], 99 * 99);
/// ```

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace rivulet {

class ParallelFor {
 public:
  /// `threads` threads in all, the caller's included; 0 or 1 runs every task on the caller.
  explicit ParallelFor(unsigned threads);
  ~ParallelFor();
  ParallelFor(const ParallelFor&) = delete;
  ParallelFor& operator=(const ParallelFor&) = delete;

  unsigned threads() const { return static_cast<unsigned>(workers_.size()) + 1; }
  /// Calls task(i) for every i in [0, n) and returns when all have returned. Small n or one
  /// thread: runs inline. REQUIRES: task does not call run() on this object.
  void run(size_t n, const std::function<void(size_t)>& task);

 private:
  void work(unsigned worker);
  // Takes and runs tasks of the current step until none is left.
  void drain();

  std::vector<std::thread> workers_;
  const std::function<void(size_t)>* task_ = nullptr;
  size_t n_ = 0;
  std::atomic<uint64_t> generation_{0};  // bumped to publish a step; ~0 asks workers to stop
  std::atomic<size_t> next_{0};          // next task index to take
  std::atomic<size_t> done_{0};          // tasks finished in the current step
  std::atomic<unsigned> sleeping_{0};
};

}  // namespace rivulet
