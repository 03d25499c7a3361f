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
#include <type_traits>
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
  /// thread: runs inline. Takes any callable by reference, so a step allocates nothing.
  /// REQUIRES: task does not call run() on this object.
  template <typename Task>
  void run(size_t n, Task&& task) {
    if (workers_.empty() || n < 2) {
      for (size_t i = 0; i < n; ++i) task(i);
      return;
    }
    using T = std::remove_reference_t<Task>;
    run_step(n, [](void* t, size_t i) { (*static_cast<T*>(t))(i); },
             const_cast<void*>(static_cast<const void*>(&task)));
  }

 private:
  // Publishes the step `call(context, i)` for i in [0, n) to the workers and takes part in it.
  void run_step(size_t n, void (*call)(void*, size_t), void* context);
  void work(unsigned worker);
  // Takes and runs tasks of the current step until none is left.
  void drain();

  std::vector<std::thread> workers_;
  void (*call_)(void*, size_t) = nullptr;
  void* context_ = nullptr;
  size_t n_ = 0;
  std::atomic<uint64_t> generation_{0};  // bumped to publish a step; ~0 asks workers to stop
  std::atomic<size_t> next_{0};          // next task index to take
  std::atomic<size_t> done_{0};          // tasks finished in the current step
  std::atomic<unsigned> sleeping_{0};
};

}  // namespace rivulet
