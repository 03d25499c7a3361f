#pragma once
// Waiting on file descriptors with a way out: a Canceller owns an eventfd that cancel() makes
// readable, and every wait polls it beside the descriptor waited on, so that a source blocked in
// read() returns as soon as another thread cancels it. No busy loop: the thread sleeps in ppoll.
// Thread safety: cancel() and cancelled() from any thread; wait() from the reading thread.

#include <poll.h>

#include <atomic>
#include <chrono>
#include <span>

namespace rivulet::io::internal {

class Canceller {
 public:
  Canceller();
  ~Canceller();
  Canceller(const Canceller&) = delete;
  Canceller& operator=(const Canceller&) = delete;

  void cancel();
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  int fd() const { return fd_; }

  /// Waits up to `timeout` for `fd` (ignored when < 0) to be ready for `events`; returns the
  /// descriptor's revents, 0 on timeout or cancellation.
  short wait(int fd, short events, std::chrono::nanoseconds timeout) const;
  /// Waits up to `timeout` for any of `fds` (the caller's pollfds, revents filled in); returns
  /// the number ready, 0 on timeout or cancellation.
  int wait_any(std::span<pollfd> fds, std::chrono::nanoseconds timeout) const;
  /// Sleeps up to `timeout`, returning early on cancellation.
  void sleep(std::chrono::nanoseconds timeout) const { (void)wait(-1, 0, timeout); }

 private:
  int fd_ = -1;
  std::atomic<bool> cancelled_{false};
};

}  // namespace rivulet::io::internal
