#include "io/source/net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "io/source/wait.h"

namespace rivulet::io::internal {
namespace {

// Resolves host:port; IPv4 first (a "localhost" that also names ::1 should reach a producer that
// listens on 127.0.0.1 only). Returns false with `error` set.
bool resolve(const std::string& host, int port, bool passive, sockaddr_storage& out,
             socklen_t& out_len, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (passive) hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const int rc =
      ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0) {
    error = fmt::format("cannot resolve '{}': {}", host, gai_strerror(rc));
    return false;
  }
  const addrinfo* pick = found;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    if (a->ai_family == AF_INET) {
      pick = a;
      break;
    }
  }
  std::memcpy(&out, pick->ai_addr, pick->ai_addrlen);
  out_len = pick->ai_addrlen;
  ::freeaddrinfo(found);
  return true;
}

}  // namespace

std::string host_port(const std::string& host, int port) {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

void set_nonblocking(int fd) {
  const int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int start_connect(const std::string& host, int port, bool& connected, std::string& error) {
  connected = false;
  sockaddr_storage addr{};
  socklen_t len = 0;
  if (!resolve(host, port, false, addr, len, error)) return -1;
  const int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::strerror(errno);
    return -1;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), len) == 0) {
    connected = true;
    return fd;
  }
  if (errno == EINPROGRESS || errno == EINTR) return fd;
  error = std::strerror(errno);
  ::close(fd);
  return -1;
}

bool finish_connect(int fd, std::string& error) {
  int so_error = 0;
  socklen_t len = sizeof so_error;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) so_error = errno;
  if (so_error != 0) {
    error = std::strerror(so_error);
    return false;
  }
  return true;
}

int connect_once(const std::string& host, int port, std::chrono::milliseconds timeout,
                 const Canceller& canceller, std::string& error) {
  bool connected = false;
  const int fd = start_connect(host, port, connected, error);
  if (fd < 0 || connected) return fd;
  const short revents = canceller.wait(fd, POLLOUT, timeout);
  if (revents == 0) {
    error = canceller.cancelled() ? "cancelled" : "Connection timed out";
    ::close(fd);
    return -1;
  }
  if (!finish_connect(fd, error)) {
    ::close(fd);
    return -1;
  }
  return fd;
}

Result<int> listen_tcp(const std::string& host, int port, int& bound_port) {
  sockaddr_storage addr{};
  socklen_t len = 0;
  std::string error;
  if (!resolve(host, port, true, addr, len, error)) return Status::invalid_argument(error);
  const int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::unavailable(fmt::format("socket: {}", std::strerror(errno)));
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr), len) != 0 || ::listen(fd, 64) != 0) {
    const int e = errno;
    ::close(fd);
    return Status::unavailable(
        fmt::format("cannot listen on {}: {}", host_port(host, port), std::strerror(e)));
  }
  sockaddr_storage local{};
  socklen_t local_len = sizeof local;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len);
  bound_port = local.ss_family == AF_INET6
                   ? ntohs(reinterpret_cast<const sockaddr_in6*>(&local)->sin6_port)
                   : ntohs(reinterpret_cast<const sockaddr_in*>(&local)->sin_port);
  return fd;
}

std::string peer_address(int fd) {
  sockaddr_storage peer{};
  socklen_t len = sizeof peer;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) return "tcp://?";
  char text[INET6_ADDRSTRLEN] = {0};
  if (peer.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&peer);
    ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    return fmt::format("tcp://[{}]:{}", text, ntohs(a->sin6_port));
  }
  const auto* a = reinterpret_cast<const sockaddr_in*>(&peer);
  ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
  return fmt::format("tcp://{}:{}", text, ntohs(a->sin_port));
}

size_t send_all(int fd, std::string_view data, int& error_number) {
  size_t sent = 0;
  error_number = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 1000);
      continue;
    }
    error_number = n < 0 ? errno : EPIPE;
    break;
  }
  return sent;
}

}  // namespace rivulet::io::internal
