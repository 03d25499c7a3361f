#include "rivulet/io/sinks.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "support/committed_output.h"

namespace rivulet::io {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

stream::SchemaPtr schema() {
  return std::make_shared<const Schema>(
      *Schema::create({{"id", Type::kInt}, {"name", Type::kString}}));
}

stream::Batch rows(int from, int to) {
  stream::Batch batch(schema());
  for (int i = from; i <= to; ++i) {
    const size_t r = batch.add_row();
    batch.set(r, 0, Value::of_int(i));
    batch.set_string(r, 1, std::string(1, static_cast<char>('a' + i - 1)));
  }
  return batch;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string slurp(std::FILE* f) {
  std::rewind(f);
  std::string text;
  char buf[256];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  return text;
}

// The JSON lines of rows(from, to).
std::string slurp_rows(int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) {
    out += fmt::format("{{\"id\": {}, \"name\": \"{}\"}}\n", i, static_cast<char>('a' + i - 1));
  }
  return out;
}

class TempDir {
 public:
  TempDir() {
    const auto* info = testing::UnitTest::GetInstance()->current_test_info();
    path_ = testing::TempDir() + "rivulet_sinks_" + std::to_string(::getpid()) + "_" + info->name();
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

TEST(ConsoleSinkTest, JsonLinesExactBytes) {
  std::FILE* out = std::tmpfile();
  auto sink = ConsoleSink::create({.file = out}).value();
  ASSERT_TRUE(sink->open(schema()).ok());
  ASSERT_TRUE(sink->write(rows(1, 2)).ok());
  ASSERT_TRUE(sink->flush().ok());
  EXPECT_EQ(slurp(out), "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n");
  std::fseek(out, 0, SEEK_END);
  ASSERT_TRUE(sink->write(rows(3, 3)).ok());
  ASSERT_TRUE(sink->close().ok());
  EXPECT_EQ(
      slurp(out),
      "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n{\"id\": 3, \"name\": \"c\"}\n");
  std::fclose(out);
}

TEST(ConsoleSinkTest, CsvHeaderOnce) {
  std::FILE* out = std::tmpfile();
  auto sink = ConsoleSink::create({.format = Encoding::kCsv, .file = out}).value();
  ASSERT_TRUE(sink->open(schema()).ok());
  ASSERT_TRUE(sink->write(rows(1, 1)).ok());
  ASSERT_TRUE(sink->write(rows(2, 3)).ok());
  ASSERT_TRUE(sink->close().ok());
  EXPECT_EQ(slurp(out), "id,name\n1,a\n2,b\n3,c\n");
  std::fclose(out);
}

TEST(FileSinkTest, JsonAndCsvFiles) {
  TempDir dir;
  auto json = FileSink::create({.path = dir.file("out.jsonl")}).value();
  ASSERT_TRUE(json->open(schema()).ok());
  ASSERT_TRUE(json->write(rows(1, 2)).ok());
  ASSERT_TRUE(json->close().ok());
  EXPECT_EQ(slurp(dir.file("out.jsonl")),
            "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n");
  auto csv = FileSink::create({.path = dir.file("out.csv"), .format = Encoding::kCsv}).value();
  ASSERT_TRUE(csv->open(schema()).ok());
  ASSERT_TRUE(csv->write(rows(1, 1)).ok());
  ASSERT_TRUE(csv->flush().ok());
  EXPECT_EQ(slurp(dir.file("out.csv")), "id,name\n1,a\n");  // flushed: on disk already
  ASSERT_TRUE(csv->write(rows(2, 2)).ok());
  ASSERT_TRUE(csv->close().ok());
  EXPECT_EQ(slurp(dir.file("out.csv")), "id,name\n1,a\n2,b\n");
  // Appending to a CSV file that has its header already.
  auto more =
      FileSink::create({.path = dir.file("out.csv"), .format = Encoding::kCsv, .append = true})
          .value();
  ASSERT_TRUE(more->open(schema()).ok());
  ASSERT_TRUE(more->write(rows(3, 3)).ok());
  ASSERT_TRUE(more->close().ok());
  EXPECT_EQ(slurp(dir.file("out.csv")), "id,name\n1,a\n2,b\n3,c\n");
}

TEST(FileSinkTest, RollsBySize) {
  TempDir dir;
  // Each JSON row is 23 bytes: a part takes rows until it holds 50 bytes or more.
  auto sink = FileSink::create({.path = dir.file("out.jsonl"), .rolling_size = 50}).value();
  ASSERT_TRUE(sink->open(schema()).ok());
  ASSERT_TRUE(sink->write(rows(1, 2)).ok());
  ASSERT_TRUE(sink->write(rows(3, 5)).ok());
  ASSERT_TRUE(sink->close().ok());
  EXPECT_EQ(slurp(dir.file("out-0.jsonl")),
            "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n{\"id\": 3, \"name\": "
            "\"c\"}\n");
  EXPECT_EQ(slurp(dir.file("out-1.jsonl")),
            "{\"id\": 4, \"name\": \"d\"}\n{\"id\": 5, \"name\": \"e\"}\n");
  EXPECT_FALSE(fs::exists(dir.file("out-2.jsonl")));
  EXPECT_FALSE(fs::exists(dir.file("out.jsonl")));

  // CSV parts each have their header: 8 header bytes + 4 per row, parts of 16 bytes.
  auto csv =
      FileSink::create({.path = dir.file("p.csv"), .format = Encoding::kCsv, .rolling_size = 16})
          .value();
  ASSERT_TRUE(csv->open(schema()).ok());
  ASSERT_TRUE(csv->write(rows(1, 5)).ok());
  ASSERT_TRUE(csv->close().ok());
  EXPECT_EQ(slurp(dir.file("p-0.csv")), "id,name\n1,a\n2,b\n");
  EXPECT_EQ(slurp(dir.file("p-1.csv")), "id,name\n3,c\n4,d\n");
  EXPECT_EQ(slurp(dir.file("p-2.csv")), "id,name\n5,e\n");
  EXPECT_EQ(FileSink::part_path("dir.v2/out", 3), "dir.v2/out-3");
  EXPECT_EQ(FileSink::part_path("a/b.c.jsonl", 0), "a/b.c-0.jsonl");
}

// The committed parts, concatenated in order.
std::string committed(const TempDir& dir) {
  return rivulet::test_support::committed_output(dir.file("out.jsonl"));
}

TEST(FileSinkTest, ExactlyOnceRowsAppearWhenTheirCheckpointCommits) {
  TempDir dir;
  auto sink = FileSink::create({.path = dir.file("out.jsonl"), .exactly_once = true}).value();
  ASSERT_TRUE(sink->open(schema()).ok());
  ASSERT_TRUE(sink->write(rows(1, 2)).ok());
  ASSERT_TRUE(sink->flush().ok());
  EXPECT_EQ(committed(dir), "");  // in progress: invisible
  EXPECT_TRUE(fs::exists(dir.file(".out-0.jsonl.inprogress")));
  const auto state = sink->pre_commit(1);
  ASSERT_TRUE(state.ok()) << state.status().to_string();
  EXPECT_EQ(*state, "next 1 0");
  EXPECT_EQ(committed(dir), "");  // pending: durable, still invisible
  EXPECT_TRUE(fs::exists(dir.file(".out-0.jsonl.pending")));
  ASSERT_TRUE(sink->commit(1).ok());
  EXPECT_EQ(committed(dir), slurp_rows(1, 2));
  EXPECT_EQ(sink->pre_commit(2).value(), "next 1");  // nothing new: no part
  ASSERT_TRUE(sink->write(rows(3, 3)).ok());
  ASSERT_TRUE(sink->close().ok());  // the end of the input commits the rest
  EXPECT_EQ(committed(dir), slurp_rows(1, 3));
  EXPECT_EQ(FileSink::create({.path = dir.file("x.jsonl"), .append = true, .exactly_once = true})
                .status()
                .message(),
            "file sink: 'exactly_once' cannot 'append'");
}

// A run that starts afresh (no checkpoint to recover) adds parts after the committed ones.
TEST(FileSinkTest, ExactlyOnceFreshRunAddsPartsAfterTheCommittedOnes) {
  TempDir dir;
  for (int run = 0; run < 2; ++run) {
    auto sink = FileSink::create({.path = dir.file("out.jsonl"), .exactly_once = true}).value();
    ASSERT_TRUE(sink->open(schema()).ok());
    ASSERT_TRUE(sink->write(rows(1 + 2 * run, 2 + 2 * run)).ok());
    ASSERT_TRUE(sink->close().ok());
  }
  EXPECT_EQ(committed(dir), slurp_rows(1, 4));
  EXPECT_TRUE(fs::exists(dir.file("out-1.jsonl")));
}

// A crash (the sink dropped without close) after each phase; the run resumes from the last
// checkpoint, writes again what came after it, and the committed output is that of a run that
// never stopped.
TEST(FileSinkTest, ExactlyOnceRecoveryGivesTheOutputOfAnUninterruptedRun) {
  for (int crash_after = 0; crash_after < 3; ++crash_after) {
    SCOPED_TRACE(crash_after);
    TempDir dir;
    std::string state;
    {
      auto sink = FileSink::create({.path = dir.file("out.jsonl"), .exactly_once = true}).value();
      ASSERT_TRUE(sink->open(schema()).ok());
      ASSERT_TRUE(sink->write(rows(1, 2)).ok());
      state = sink->pre_commit(1).value();  // checkpoint 1 covers rows 1-2
      if (crash_after >= 1) ASSERT_TRUE(sink->commit(1).ok());
      ASSERT_TRUE(sink->write(rows(3, 4)).ok());  // after the checkpoint: to be replayed
      if (crash_after >= 2) {
        ASSERT_TRUE(sink->flush().ok());
        ASSERT_TRUE(sink->pre_commit(2).ok());  // pre-committed, but checkpoint 2 never completed
      }
      // crash: no close
    }
    auto sink = FileSink::create({.path = dir.file("out.jsonl"), .exactly_once = true}).value();
    ASSERT_TRUE(sink->open(schema()).ok());
    ASSERT_TRUE(sink->recover(state).ok());
    EXPECT_EQ(committed(dir), slurp_rows(1, 2));
    EXPECT_FALSE(fs::exists(dir.file(".out-1.jsonl.inprogress")));
    EXPECT_FALSE(fs::exists(dir.file(".out-1.jsonl.pending")));
    ASSERT_TRUE(sink->write(rows(3, 5)).ok());  // the replay, and more
    ASSERT_TRUE(sink->close().ok());
    EXPECT_EQ(committed(dir), slurp_rows(1, 5));
    // Recovering again from checkpoint 1 (a later checkpoint never completed, and close()
    // committed the rest without one) keeps its rows and removes the parts after it, which the
    // replay from checkpoint 1 writes again.
    ASSERT_TRUE(FileSink::create({.path = dir.file("out.jsonl"), .exactly_once = true})
                    .value()
                    ->recover(state)
                    .ok());
    EXPECT_EQ(committed(dir), slurp_rows(1, 2));
  }
  TempDir dir;
  auto sink = FileSink::create({.path = dir.file("out.jsonl"), .exactly_once = true}).value();
  EXPECT_EQ(sink->recover("next 1 0").message(),
            fmt::format("file sink: part {} of the checkpoint is neither pending nor committed",
                        dir.file("out-0.jsonl")));
  EXPECT_EQ(sink->recover("garbage").code(), StatusCode::kDataLoss);
}

TEST(FileSinkTest, CreateErrors) {
  EXPECT_EQ(FileSink::create({}).status().message(), "file sink: 'path' is required");
  EXPECT_EQ(FileSink::create({.path = "/nonexistent/dir/out.jsonl"}).status().message(),
            "file sink: path '/nonexistent/dir/out.jsonl': the directory '/nonexistent/dir' does "
            "not exist");
}

TEST(DeadLetterSinkTest, OneJsonObjectPerLine) {
  TempDir dir;
  auto sink = FileDeadLetterSink::create({.path = dir.file("dead.jsonl")}).value();
  ASSERT_TRUE(sink->write({.stage = "decode",
                           .reason = "field 'amount': expected double, got string \"abc\"",
                           .record = "{\"amount\": \"abc\"}",
                           .origin = "in.jsonl:3"})
                  .ok());
  ASSERT_TRUE(sink->write({.stage = "validate",
                           .reason = "bad",
                           .record = "{\"amount\": oops",
                           .origin = "tcp://127.0.0.1:9999",
                           .event_time = 1700000000000})
                  .ok());
  ASSERT_TRUE(
      sink->write({.stage = "decode", .reason = "r", .record = "a,b\t\"c\"", .origin = "x.csv:2"})
          .ok());
  ASSERT_TRUE(sink->close().ok());
  EXPECT_EQ(slurp(dir.file("dead.jsonl")),
            "{\"stage\": \"decode\", \"reason\": \"field 'amount': expected double, got string "
            "\\\"abc\\\"\", \"origin\": \"in.jsonl:3\", \"event_time\": null, \"record\": "
            "{\"amount\": \"abc\"}}\n"
            "{\"stage\": \"validate\", \"reason\": \"bad\", \"origin\": \"tcp://127.0.0.1:9999\", "
            "\"event_time\": 1700000000000, \"record\": \"{\\\"amount\\\": oops\"}\n"
            "{\"stage\": \"decode\", \"reason\": \"r\", \"origin\": \"x.csv:2\", \"event_time\": "
            "null, \"record\": \"a,b\\t\\\"c\\\"\"}\n");
}

// A consumer on 127.0.0.1 with a port the OS chose.
class Consumer {
 public:
  Consumer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 4);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~Consumer() { stop(); }
  void stop() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int port() const { return port_; }
  // Accepts one connection and reads `n` bytes from it (or until it closes).
  std::string accept_and_read(size_t n, int* conn_out = nullptr) {
    const int conn = ::accept(fd_, nullptr, nullptr);
    std::string text;
    char buf[256];
    while (text.size() < n) {
      const ssize_t got = ::recv(conn, buf, sizeof buf, 0);
      if (got <= 0) break;
      text.append(buf, static_cast<size_t>(got));
    }
    if (conn_out != nullptr) {
      *conn_out = conn;
    } else {
      ::close(conn);
    }
    return text;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(SocketSinkTest, WritesLinesToAListeningConsumer) {
  Consumer consumer;
  std::string received;
  int conn = -1;
  const std::string expected = "id,name\n1,a\n2,b\n3,c\n";
  std::thread reader([&] { received = consumer.accept_and_read(expected.size(), &conn); });
  auto sink = SocketSink::create(
                  {.port = consumer.port(), .format = Encoding::kCsv, .reconnect_attempts = 1})
                  .value();
  EXPECT_EQ(sink->describe(), "socket 127.0.0.1:" + std::to_string(consumer.port()));
  ASSERT_TRUE(sink->open(schema()).ok());
  ASSERT_TRUE(sink->write(rows(1, 2)).ok());
  ASSERT_TRUE(sink->write(rows(3, 3)).ok());
  ASSERT_TRUE(sink->flush().ok());
  reader.join();
  EXPECT_EQ(received, expected);

  // The consumer goes away: writing fails after the retries, with an error, not SIGPIPE.
  ::close(conn);
  consumer.stop();
  std::this_thread::sleep_for(milliseconds(20));
  Status status;
  for (int i = 0; i < 5 && status.ok(); ++i) {
    status = sink->write(rows(4, 4));
    if (status.ok()) status = sink->flush();
  }
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(status.message().starts_with(
      "socket sink 127.0.0.1:" + std::to_string(consumer.port()) + ": connection lost"))
      << status.message();
  EXPECT_TRUE(
      status.message().ends_with("reconnecting failed after 1 attempts: Connection refused"))
      << status.message();
  EXPECT_TRUE(sink->close().ok());
}

TEST(SocketSinkTest, ReconnectsAndResendsTheUnsentLines) {
  Consumer consumer;
  std::string first, second;
  std::thread reader([&] {
    first = consumer.accept_and_read(46);  // two rows, then the consumer closes
    second = consumer.accept_and_read(23);
  });
  auto sink = SocketSink::create({.port = consumer.port()}).value();
  ASSERT_TRUE(sink->open(schema()).ok());
  ASSERT_TRUE(sink->write(rows(1, 2)).ok());
  ASSERT_TRUE(sink->flush().ok());
  std::this_thread::sleep_for(milliseconds(30));  // the first connection is closed by now
  ASSERT_TRUE(sink->write(rows(3, 3)).ok());
  ASSERT_TRUE(sink->flush().ok());
  reader.join();
  EXPECT_EQ(first, "{\"id\": 1, \"name\": \"a\"}\n{\"id\": 2, \"name\": \"b\"}\n");
  EXPECT_EQ(second, "{\"id\": 3, \"name\": \"c\"}\n");
  EXPECT_TRUE(sink->close().ok());
}

TEST(SocketSinkTest, RefusedConnectionNamesTheAddress) {
  int port = 0;
  {
    Consumer gone;
    port = gone.port();
  }
  auto sink = SocketSink::create({.port = port, .connect_timeout_ms = 150}).value();
  const Status s = sink->open(schema());
  EXPECT_EQ(s.message(), "socket sink: cannot connect to 127.0.0.1:" + std::to_string(port) +
                             ": Connection refused (tried for 150 ms)");
  EXPECT_EQ(SocketSink::create({.port = 0}).status().message(),
            "socket sink: 'port' must be 1..65535, got 0");
}

}  // namespace
}  // namespace rivulet::io
