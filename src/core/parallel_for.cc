#include "rivulet/core/parallel_for.h"

namespace rivulet {
namespace {
constexpr uint64_t kStop = ~uint64_t{0};
// Spins before sleeping: about tens of microseconds, longer than the gap between two samples.
constexpr int kSpins = 20000;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}
}  // namespace

ParallelFor::ParallelFor(unsigned threads) {
  for (unsigned i = 1; i < threads; ++i) workers_.emplace_back([this, i] { work(i); });
}

ParallelFor::~ParallelFor() {
  generation_.store(kStop, std::memory_order_release);
  generation_.notify_all();
  for (auto& t : workers_) t.join();
}

void ParallelFor::drain() {
  for (;;) {
    const size_t i = next_.fetch_add(1, std::memory_order_acq_rel);
    if (i >= n_) return;
    call_(context_, i);
    done_.fetch_add(1, std::memory_order_acq_rel);
  }
}

void ParallelFor::work(unsigned /*worker*/) {
  uint64_t seen = 0;
  for (;;) {
    uint64_t g = generation_.load(std::memory_order_acquire);
    for (int spin = 0; g == seen && spin < kSpins; ++spin) {
      cpu_relax();
      g = generation_.load(std::memory_order_acquire);
    }
    if (g == seen) {
      sleeping_.fetch_add(1, std::memory_order_seq_cst);
      generation_.wait(seen, std::memory_order_seq_cst);
      sleeping_.fetch_sub(1, std::memory_order_seq_cst);
      continue;
    }
    if (g == kStop) return;
    seen = g;
    drain();
  }
}

void ParallelFor::run_step(size_t n, void (*call)(void*, size_t), void* context) {
  call_ = call;
  context_ = context;
  n_ = n;
  done_.store(0, std::memory_order_relaxed);
  // A worker still draining the previous step may take a task of this one: the release store
  // makes call_, context_ and n_ visible to it. Sequentially consistent bump and sleeper count:
  // a worker going to sleep either sees the new generation or is counted and woken.
  next_.store(0, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_seq_cst);
  if (sleeping_.load(std::memory_order_seq_cst) > 0) generation_.notify_all();
  drain();
  while (done_.load(std::memory_order_acquire) < n) cpu_relax();
  // Workers that woke late find next_ >= n_ and go back to waiting; none holds call_ now.
}

}  // namespace rivulet
