// rivulet gen: a built-in generator's events as JSON Lines, to stdout, a file or a socket,
// as fast as possible or at a given rate.

#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "rivulet/io/generators/generator.h"

namespace rivulet::cli {
namespace {

struct GenArgs {
  std::string kind;
  uint64_t count = 0;
  double rate = 0.0;
  uint64_t seed = 42;
  std::vector<std::string> set;
  std::string output = "-";
  std::string listen;
  bool list = false;
};

volatile sig_atomic_t g_stop = 0;
void on_stop_signal(int) { g_stop = 1; }

int print_list() {
  for (const auto& kind : io::generator_kinds()) {
    std::printf("%s", std::string(kind.name).c_str());
    if (!kind.river_name.empty())
      std::printf("  (River: %s)", std::string(kind.river_name).c_str());
    std::printf("\n    %s\n    fields: %s\n", std::string(kind.summary).c_str(),
                std::string(kind.fields).c_str());
    for (const auto& p : io::describe_generator(kind)) {
      std::printf("      %s", fmt::format("{}: {} = {}", p.name, p.type, p.default_value).c_str());
      if (!p.help.empty()) std::printf("  (%s)", p.help.c_str());
      std::printf("\n");
    }
  }
  return 0;
}

// Splits "host:port" (host optional: "9999" means `default_host`).
bool split_host_port(const std::string& text, const char* default_host, std::string& host,
                     std::string& port) {
  const size_t colon = text.rfind(':');
  host = colon == std::string::npos ? default_host : text.substr(0, colon);
  port = colon == std::string::npos ? text : text.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return !port.empty() && port.find_first_not_of("0123456789") == std::string::npos;
}
// Events go out as soon as they are written: no Nagle delay waiting for the previous
// segment's acknowledgement (which holds small writes back for milliseconds).
void set_no_delay(int fd) {
  if (fd < 0) return;
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}


// A connected TCP socket to host:port, or -1 with `error` set.
int connect_to(const std::string& address, std::string& error) {
  std::string host, port;
  if (!split_host_port(address, "127.0.0.1", host, port)) {
    error = fmt::format("--output tcp://{}: expected tcp://HOST:PORT", address);
    return -1;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    error = fmt::format("--output tcp://{}: {}", address, gai_strerror(rc));
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd >= 0 && ::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      error = fmt::format("--output tcp://{}: cannot connect: {}", address, std::strerror(errno));
      ::close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  set_no_delay(fd);
  return fd;
}

// Listens on [host:]port (localhost unless a host is given) and returns the first client
// accepted, or -1 with `error` set.
int accept_one(const std::string& address, std::string& error) {
  std::string host, port;
  if (!split_host_port(address, "127.0.0.1", host, port)) {
    error = fmt::format("--listen {}: expected PORT or HOST:PORT", address);
    return -1;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    error = fmt::format("--listen {}: {}", address, gai_strerror(rc));
    return -1;
  }
  int server = -1;
  for (addrinfo* a = found; a != nullptr && server < 0; a = a->ai_next) {
    server = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (server < 0) continue;
    const int one = 1;
    ::setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(server, a->ai_addr, a->ai_addrlen) != 0 || ::listen(server, 1) != 0) {
      error = fmt::format("--listen {}: {}", address, std::strerror(errno));
      ::close(server);
      server = -1;
    }
  }
  freeaddrinfo(found);
  if (server < 0) return -1;
  int client = -1;
  while (client < 0 && !g_stop) {
    client = ::accept(server, nullptr, nullptr);
    if (client < 0 && errno != EINTR) {
      error = fmt::format("--listen {}: {}", address, std::strerror(errno));
      break;
    }
  }
  ::close(server);
  set_no_delay(client);
  return client;
}

enum class WriteResult { kOk, kClosed, kError };

// Writes all of `data`; a reader that went away (EPIPE, ECONNRESET) is kClosed: the end of the
// run, not an error.
WriteResult write_all(int fd, std::string_view data, std::string& error) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EPIPE || errno == ECONNRESET) return WriteResult::kClosed;
      error = std::strerror(errno);
      return WriteResult::kError;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return WriteResult::kOk;
}

int run_gen(const GenArgs& a) {
  if (a.list) return print_list();
  if (a.kind.empty()) return fail("gen: a KIND is needed (rivulet gen --list shows them)");
  if (!(a.rate >= 0.0))
    return fail(fmt::format("--rate {}: must be >= 0 (0: as fast as possible)", a.rate));
  auto made = io::Generator::create(a.kind, a.seed, a.set);
  if (!made.ok()) return fail(made.status().message());
  io::Generator& gen = **made;

  // A reader that closes the pipe (`rivulet gen sea | head`) ends the run quietly; SIGINT and
  // SIGTERM stop it after the events already generated are written.
  ::signal(SIGPIPE, SIG_IGN);
  struct sigaction stop {};
  stop.sa_handler = on_stop_signal;
  sigemptyset(&stop.sa_mask);
  ::sigaction(SIGINT, &stop, nullptr);
  ::sigaction(SIGTERM, &stop, nullptr);

  int fd = STDOUT_FILENO;
  std::string error, target = "stdout";
  if (!a.listen.empty()) {
    fd = accept_one(a.listen, error);
    if (fd < 0) return g_stop ? 0 : fail(error);
    target = "--listen " + a.listen;
  } else if (a.output.rfind("tcp://", 0) == 0) {
    fd = connect_to(a.output.substr(6), error);
    if (fd < 0) return fail(error);
    target = a.output;
  } else if (a.output != "-") {
    fd = ::open(a.output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail(fmt::format("--output {}: {}", a.output, std::strerror(errno)));
    target = a.output;
  }

  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  // Paced runs write a batch about every millisecond; unpaced runs fill 64 KiB first.
  constexpr size_t kFlushBytes = 1 << 16;
  const uint64_t batch =
      a.rate > 0.0 ? std::clamp<uint64_t>(static_cast<uint64_t>(a.rate / 1000.0), 1, 4096) : 4096;
  std::string buffer;
  buffer.reserve(kFlushBytes * 2);
  uint64_t emitted = 0;
  int status = 0;
  bool open = true;
  while (open && !g_stop && (a.count == 0 || emitted < a.count)) {
    const uint64_t n = a.count == 0 ? batch : std::min(batch, a.count - emitted);
    for (uint64_t i = 0; i < n; ++i) gen.next(buffer);
    emitted += n;
    if (a.rate > 0.0 || buffer.size() >= kFlushBytes) {
      const WriteResult w = write_all(fd, buffer, error);
      buffer.clear();
      if (w == WriteResult::kClosed) open = false;
      if (w == WriteResult::kError) {
        status = fail(fmt::format("writing to {}: {}", target, error));
        open = false;
      }
    }
    if (a.rate > 0.0) {
      const auto due =
          start + std::chrono::duration_cast<Clock::duration>(
                      std::chrono::duration<double>(static_cast<double>(emitted) / a.rate));
      // Short slices, so that a signal stops a slow run promptly.
      while (!g_stop) {
        const auto now = Clock::now();
        if (now >= due) break;
        std::this_thread::sleep_for(
            std::min<Clock::duration>(due - now, std::chrono::milliseconds(100)));
      }
    }
  }
  if (open && !buffer.empty()) {
    if (write_all(fd, buffer, error) == WriteResult::kError) {
      status = fail(fmt::format("writing to {}: {}", target, error));
    }
  }
  if (fd != STDOUT_FILENO && ::close(fd) != 0 && status == 0) {
    status = fail(fmt::format("closing {}: {}", target, std::strerror(errno)));
  }
  return status;
}

}  // namespace

Runner add_gen(CLI::App& app) {
  auto a = std::make_shared<GenArgs>();
  app.add_option("KIND", a->kind,
                 "generator: sea, hyperplane, agrawal, rbf, transactions, sensors; parameters as "
                 "in a spec, e.g. 'hyperplane(n_features=5, mag_change=0.001)'");
  app.add_option("--count,-n", a->count, "stop after N events (default: never)");
  app.add_option("--rate", a->rate, "events per second (default 0: as fast as possible)");
  app.add_option("--seed", a->seed, "seed of the generator, unless the spec sets one (default 42)");
  app.add_option("--set", a->set, "parameter override NAME=VALUE (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--output,-o", a->output,
                 "FILE, '-' for stdout (default), or tcp://HOST:PORT to connect and send");
  app.add_option(
      "--listen", a->listen,
      "[HOST:]PORT: wait for one client (localhost unless HOST is given) and send to it");
  app.add_flag("--list", a->list, "list the generators with their parameters and fields");
  return [a] { return run_gen(*a); };
}

}  // namespace rivulet::cli
