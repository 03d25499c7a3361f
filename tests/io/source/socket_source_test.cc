#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "rivulet/io/sources.h"

namespace rivulet::io {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// A listening socket on 127.0.0.1 and a port the OS chose.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~Listener() { close(); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int accept() const { return ::accept(fd_, nullptr, nullptr); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void send_text(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    text.remove_prefix(static_cast<size_t>(n));
  }
}

// Reads until `n` lines came, the source ended, or 3 s passed.
std::vector<std::string> read_lines(Source& source, size_t n,
                                    std::vector<std::string>* origins = nullptr,
                                    ReadStatus* last = nullptr) {
  std::vector<std::string> lines;
  const auto deadline = Clock::now() + std::chrono::seconds(3);
  while (lines.size() < n && Clock::now() < deadline) {
    RawLines raw;
    auto r = source.read(raw, 64, milliseconds(20));
    EXPECT_TRUE(r.ok()) << r.status().to_string();
    if (!r.ok()) break;
    for (size_t i = 0; i < raw.size(); ++i) {
      lines.emplace_back(raw.line(i));
      EXPECT_EQ(raw.line_number(i), 0u);
      if (origins != nullptr) origins->push_back(raw.origin(i));
    }
    if (last != nullptr) *last = *r;
    if (*r == ReadStatus::kEnd) break;
  }
  return lines;
}

using Lines = std::vector<std::string>;

TEST(SocketSourceTest, ConnectsAndReadsLinesUntilThePeerCloses) {
  Listener listener;
  std::thread producer([&] {
    const int fd = listener.accept();
    send_text(fd, "a\nb");
    std::this_thread::sleep_for(milliseconds(20));
    send_text(fd, "b\r\nc");  // the last line has no terminator
    ::close(fd);
  });
  auto source = SocketSource::create({.port = listener.port(), .reconnect = false}).value();
  EXPECT_EQ(source->describe(), "socket connect 127.0.0.1:" + std::to_string(listener.port()));
  Lines origins;
  ReadStatus last = ReadStatus::kData;
  EXPECT_EQ(read_lines(*source, 10, &origins, &last), (Lines{"a", "bb", "c"}));
  EXPECT_EQ(last, ReadStatus::kEnd);
  EXPECT_EQ(origins[0], "tcp://127.0.0.1:" + std::to_string(listener.port()));
  producer.join();
}

TEST(SocketSourceTest, ReconnectsAfterTheConnectionIsLost) {
  Listener listener;
  std::thread producer([&] {
    int fd = listener.accept();
    send_text(fd, "first\n");
    ::close(fd);
    fd = listener.accept();
    send_text(fd, "second\n");
    ::close(fd);
    listener.close();
  });
  auto source = SocketSource::create({.port = listener.port(), .connect_timeout_ms = 150}).value();
  ReadStatus last = ReadStatus::kData;
  EXPECT_EQ(read_lines(*source, 10, nullptr, &last), (Lines{"first", "second"}));
  EXPECT_EQ(last, ReadStatus::kEnd);  // the producer stayed away past connect_timeout_ms
  producer.join();
}

TEST(SocketSourceTest, RefusedConnectionIsAnErrorNamingTheAddress) {
  int port = 0;
  {
    Listener listener;
    port = listener.port();
  }  // closed: nothing listens there now
  auto source = SocketSource::create({.port = port, .connect_timeout_ms = 200}).value();
  const auto start = Clock::now();
  Status error;
  while (Clock::now() - start < std::chrono::seconds(3)) {
    RawLines raw;
    auto r = source->read(raw, 10, milliseconds(50));
    if (!r.ok()) {
      error = r.status();
      break;
    }
  }
  EXPECT_EQ(error.code(), StatusCode::kUnavailable);
  EXPECT_EQ(error.message(), "socket source: cannot connect to 127.0.0.1:" + std::to_string(port) +
                                 ": Connection refused (tried for 200 ms)");
  EXPECT_LT(Clock::now() - start, milliseconds(1500));
}

TEST(SocketSourceTest, ListensForTwoProducersWholeLinesNoneLost) {
  auto source = SocketSource::create({.port = 0, .listen = true}).value();
  const int port = SocketSource::listening_port(*source);
  ASSERT_GT(port, 0);
  EXPECT_EQ(source->describe(), "socket listen 127.0.0.1:" + std::to_string(port));
  constexpr int kLines = 2000;
  auto produce = [port](int id) {
    const int fd = connect_to(port);
    ASSERT_GE(fd, 0);
    std::mt19937 rng(static_cast<unsigned>(id));
    std::string text;
    for (int i = 0; i < kLines; ++i)
      text += "p" + std::to_string(id) + "-" + std::to_string(i) + "\n";
    // Sends in random pieces, so lines are cut across sends.
    size_t at = 0;
    while (at < text.size()) {
      const size_t n = std::min<size_t>(text.size() - at, 1 + rng() % 50);
      send_text(fd, std::string_view(text).substr(at, n));
      at += n;
      if (rng() % 8 == 0) std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    ::close(fd);
  };
  std::thread p0(produce, 0), p1(produce, 1);
  Lines origins;
  const Lines lines = read_lines(*source, 2 * kLines, &origins);
  p0.join();
  p1.join();
  ASSERT_EQ(lines.size(), 2u * kLines);
  std::map<std::string, int> next;  // per producer, lines arrive whole and in order
  std::map<std::string, std::string> origin_of;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    const std::string producer = line.substr(0, 2);
    ASSERT_EQ(line, producer + "-" + std::to_string(next[producer])) << i;
    ++next[producer];
    if (origin_of.count(producer) == 0) origin_of[producer] = origins[i];
    EXPECT_EQ(origins[i], origin_of[producer]);
    EXPECT_TRUE(origins[i].starts_with("tcp://127.0.0.1:"));
  }
  EXPECT_EQ(next["p0"], kLines);
  EXPECT_EQ(next["p1"], kLines);
  EXPECT_NE(origin_of["p0"], origin_of["p1"]);
  // A listening source waits for more producers: a read times out, it does not end.
  RawLines raw;
  EXPECT_EQ(*source->read(raw, 10, milliseconds(10)), ReadStatus::kTimeout);
}

TEST(SocketSourceTest, CancelUnblocksAWaitingRead) {
  auto source = SocketSource::create({.port = 0, .listen = true}).value();
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(30));
    source->cancel();
  });
  const auto start = Clock::now();
  RawLines raw;
  auto r = source->read(raw, 10, milliseconds(5000));
  canceller.join();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, ReadStatus::kEnd);
  EXPECT_LT(Clock::now() - start, milliseconds(500));
}

TEST(SocketSourceTest, NotReplayable) {
  auto source = SocketSource::create({.port = 0, .listen = true}).value();
  std::stringstream bytes;
  {
    StateWriter writer(bytes);
    source->save_position(writer);
  }
  StateReader reader(bytes);
  const Status s = source->restore_position(reader);
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "source 'socket 127.0.0.1:" + std::to_string(SocketSource::listening_port(*source)) +
                "' is not replayable: it cannot resume from a saved position");
}

TEST(SocketSourceTest, CreateErrors) {
  EXPECT_EQ(SocketSource::create({}).status().message(),
            "socket source: 'port' must be 1..65535, got -1");
  EXPECT_EQ(SocketSource::create({.port = 0}).status().message(),
            "socket source: 'port' must be 1..65535, got 0");
  EXPECT_EQ(SocketSource::create({.host = "", .port = 1}).status().message(),
            "socket source: 'host' is required");
  EXPECT_EQ(SocketSource::create({.port = 1, .connect_timeout_ms = 0}).status().message(),
            "socket source: 'connect_timeout_ms' must be > 0, got 0");
  auto taken = SocketSource::create({.port = 0, .listen = true}).value();
  const int port = SocketSource::listening_port(*taken);
  EXPECT_EQ(SocketSource::create({.port = port, .listen = true}).status().message(),
            "socket source: cannot listen on 127.0.0.1:" + std::to_string(port) +
                ": Address already in use");
}

}  // namespace
}  // namespace rivulet::io
