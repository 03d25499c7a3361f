#include "io/source/wait.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <ctime>
#include <vector>

namespace rivulet::io::internal {
namespace {

timespec to_timespec(std::chrono::nanoseconds d) {
  if (d.count() < 0) d = std::chrono::nanoseconds(0);
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(d.count() / 1000000000);
  ts.tv_nsec = static_cast<long>(d.count() % 1000000000);
  return ts;
}

}  // namespace

Canceller::Canceller() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

Canceller::~Canceller() {
  if (fd_ >= 0) ::close(fd_);
}

void Canceller::cancel() {
  cancelled_.store(true, std::memory_order_release);
  if (fd_ >= 0) {
    const uint64_t one = 1;
    // Nothing to do on failure: the counter is already non-zero, so waiters wake anyway.
    [[maybe_unused]] const ssize_t n = ::write(fd_, &one, sizeof one);
  }
}

short Canceller::wait(int fd, short events, std::chrono::nanoseconds timeout) const {
  pollfd fds[1] = {{fd, events, 0}};
  if (fd < 0) {
    if (wait_any(std::span<pollfd>(fds, 0), timeout) < 0) return 0;
    return 0;
  }
  return wait_any(fds, timeout) > 0 ? fds[0].revents : 0;
}

int Canceller::wait_any(std::span<pollfd> fds, std::chrono::nanoseconds timeout) const {
  if (cancelled()) return 0;
  // The caller's descriptors and ours in one array; small, so it lives on the stack.
  constexpr size_t kStack = 16;
  pollfd stack[kStack + 1];
  std::vector<pollfd> heap;
  pollfd* all = stack;
  if (fds.size() > kStack) {
    heap.resize(fds.size() + 1);
    all = heap.data();
  }
  for (size_t i = 0; i < fds.size(); ++i) {
    all[i] = fds[i];
    all[i].revents = 0;
  }
  all[fds.size()] = {fd_, POLLIN, 0};
  const timespec ts = to_timespec(timeout);
  int n = ::ppoll(all, fds.size() + 1, &ts, nullptr);
  if (n < 0) return errno == EINTR ? 0 : n;
  int ready = 0;
  for (size_t i = 0; i < fds.size(); ++i) {
    fds[i].revents = all[i].revents;
    if (all[i].revents != 0) ++ready;
  }
  if (cancelled()) return 0;
  return ready;
}

}  // namespace rivulet::io::internal
