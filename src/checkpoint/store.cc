// Checkpoint directories: parts, MANIFEST, atomic publication, verification, retention
// (include/rivulet/checkpoint/store.h; the format in docs/checkpoints.md).

#include "rivulet/checkpoint/store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace rivulet::checkpoint {

namespace fs = std::filesystem;

namespace {

Status io_error(std::string_view what, const std::string& path, int err) {
  return Status(StatusCode::kIoError, fmt::format("{} {}: {}", what, path, std::strerror(err)));
}

class PosixEnv final : public Env {
 public:
  Status make_dirs(const std::string& path) override {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) return io_error("cannot create directory", path, ec.value());
    return {};
  }
  Status write_file(const std::string& path, const std::string& bytes) override {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return io_error("cannot create", path, errno);
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        const int err = errno;
        ::close(fd);
        return io_error("cannot write", path, err);
      }
      done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) {
      const int err = errno;
      ::close(fd);
      return io_error("cannot fsync", path, err);
    }
    if (::close(fd) != 0) return io_error("cannot close", path, errno);
    return {};
  }
  Result<std::string> read_file(const std::string& path) override {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::not_found(fmt::format("cannot open {}", path));
    std::stringstream s;
    s << in.rdbuf();
    if (in.bad()) return Status(StatusCode::kIoError, fmt::format("cannot read {}", path));
    return s.str();
  }
  Status rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return io_error("cannot rename", from, errno);
    return {};
  }
  Status sync_dir(const std::string& path) override {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return io_error("cannot open directory", path, errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0) return io_error("cannot fsync directory", path, err);
    return {};
  }
  Result<std::vector<std::string>> list(const std::string& path) override {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      names.push_back(it->path().filename().string());
    }
    if (ec) return io_error("cannot list", path, ec.value());
    return names;
  }
  Status link_file(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) == 0) return {};
    if (errno == EEXIST) {
      if (::unlink(to.c_str()) != 0) return io_error("cannot replace", to, errno);
      if (::link(from.c_str(), to.c_str()) == 0) return {};
    }
    // No hard links here (EPERM, ENOTSUP on some file systems; EXDEV across two; EMLINK at
    // the file system's limit): a copy.
    if (errno == EXDEV || errno == EPERM || errno == EMLINK || errno == ENOTSUP ||
        errno == EOPNOTSUPP) {
      return Env::link_file(from, to);
    }
    return io_error(fmt::format("cannot link {} as", from), to, errno);
  }
  Status remove_all(const std::string& path) override {
    std::error_code ec;
    fs::remove_all(path, ec);
    if (ec) return io_error("cannot remove", path, ec.value());
    return {};
  }
  bool exists(const std::string& path) override {
    std::error_code ec;
    return fs::exists(path, ec);
  }
};

constexpr std::string_view kMagic = "rivulet-checkpoint 1";
constexpr std::string_view kPrefix = "chk-";

std::string hex64(uint64_t v) { return fmt::format("{:016x}", v); }

bool valid_name(std::string_view name) {
  if (name.empty() || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

// A meta value on one line: backslash, newline and carriage return escaped.
std::string escape(std::string_view v) {
  std::string out;
  for (const char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

std::string unescape(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) {
      ++i;
      out += v[i] == 'n' ? '\n' : v[i] == 'r' ? '\r' : v[i];
    } else {
      out += v[i];
    }
  }
  return out;
}

std::optional<uint64_t> id_of(std::string_view name) {
  if (name.substr(0, kPrefix.size()) != kPrefix || name.size() == kPrefix.size()) {
    return std::nullopt;
  }
  uint64_t id = 0;
  for (const char c : name.substr(kPrefix.size())) {
    if (c < '0' || c > '9' || id > UINT64_MAX / 10 - 1) return std::nullopt;
    id = id * 10 + static_cast<uint64_t>(c - '0');
  }
  return id;
}

struct ManifestPart {
  std::string name, file;
  uint64_t size = 0, hash = 0;
};

// Parses and checks a MANIFEST's text: its checksum line covers every byte before it.
Result<Checkpoint> parse_manifest(const std::string& text, std::vector<ManifestPart>& parts) {
  const auto bad = [](std::string_view why) {
    return Status::data_loss(fmt::format("MANIFEST: {}", why));
  };
  const size_t last = text.rfind("checksum ");
  if (last == std::string::npos || (last > 0 && text[last - 1] != '\n')) {
    return bad("no checksum line (torn or truncated)");
  }
  std::string sum = text.substr(last + 9);
  if (!sum.empty() && sum.back() == '\n') sum.pop_back();
  if (sum != hex64(XXH3_64bits(text.data(), last))) return bad("checksum mismatch");
  std::istringstream in(text.substr(0, last));
  std::string line;
  if (!std::getline(in, line) || line != kMagic) {
    return bad(fmt::format("not '{}' (an unknown format or version)", kMagic));
  }
  Checkpoint cp;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string kind;
    words >> kind;
    if (kind == "id") {
      words >> cp.id;
    } else if (kind == "created_ms") {
      words >> cp.created_ms;
    } else if (kind == "meta") {
      std::string key;
      words >> key;
      std::string value;
      std::getline(words, value);
      if (!value.empty() && value[0] == ' ') value.erase(0, 1);
      cp.meta[key] = unescape(value);
    } else if (kind == "part") {
      ManifestPart p;
      std::string hash;
      words >> p.name >> p.file >> p.size >> hash;
      if (!valid_name(p.name) || !valid_name(p.file) || hash.size() != 16) {
        return bad(fmt::format("malformed line '{}'", line));
      }
      p.hash = std::stoull(hash, nullptr, 16);
      parts.push_back(std::move(p));
    } else {
      return bad(fmt::format("unknown line '{}'", line));
    }
    if (words.fail()) return bad(fmt::format("malformed line '{}'", line));
  }
  return cp;
}

}  // namespace

Status Env::link_file(const std::string& from, const std::string& to) {
  RIVULET_ASSIGN_OR_RETURN(std::string bytes, read_file(from));
  return write_file(to, bytes);
}

Env* Env::posix() {
  static PosixEnv env;
  return &env;
}

std::string CheckpointStore::dir_name(uint64_t id) { return fmt::format("chk-{:06d}", id); }

Result<std::unique_ptr<CheckpointStore>> CheckpointStore::open(Options options) {
  if (options.dir.empty()) return Status::invalid_argument("checkpoint: 'dir' is empty");
  if (options.retain < 1) return Status::invalid_argument("checkpoint: 'retain' must be >= 1");
  if (options.env == nullptr) options.env = Env::posix();
  RIVULET_RETURN_IF_ERROR(options.env->make_dirs(options.dir));
  return std::unique_ptr<CheckpointStore>(new CheckpointStore(std::move(options)));
}

Result<std::vector<uint64_t>> CheckpointStore::all_ids() {
  RIVULET_ASSIGN_OR_RETURN(auto names, options_.env->list(options_.dir));
  std::vector<uint64_t> ids;
  for (const std::string& n : names) {
    if (auto id = id_of(n)) ids.push_back(*id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Result<std::vector<uint64_t>> CheckpointStore::list() {
  RIVULET_ASSIGN_OR_RETURN(auto ids, all_ids());
  std::vector<uint64_t> complete;
  for (const uint64_t id : ids) {
    if (options_.env->exists(fmt::format("{}/{}/MANIFEST", options_.dir, dir_name(id)))) {
      complete.push_back(id);
    }
  }
  return complete;
}

Result<uint64_t> CheckpointStore::write(Checkpoint cp) {
  Env& env = *options_.env;
  for (const auto& [name, bytes] : cp.parts) {
    if (!valid_name(name)) {
      return Status::invalid_argument(
          fmt::format("checkpoint: part name '{}' (letters, digits, '.', '_', '-')", name));
    }
  }
  for (const auto& [name, from] : cp.links) {
    if (!valid_name(name) || cp.parts.count(name) != 0) {
      return Status::invalid_argument(
          fmt::format("checkpoint: linked part name '{}' (letters, digits, '.', '_', '-'; not "
                      "also a part of its own)",
                      name));
    }
  }
  for (const auto& [key, value] : cp.meta) {
    if (!valid_name(key)) return Status::invalid_argument(fmt::format("checkpoint: meta key '{}'", key));
  }
  RIVULET_ASSIGN_OR_RETURN(auto ids, all_ids());
  cp.id = ids.empty() ? 1 : ids.back() + 1;
  cp.created_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  const std::string dir = fmt::format("{}/{}", options_.dir, dir_name(cp.id));
  const auto attempt = [&]() -> Status {
    RIVULET_RETURN_IF_ERROR(env.make_dirs(dir));
    std::string manifest = fmt::format("{}\nid {}\ncreated_ms {}\n", kMagic, cp.id, cp.created_ms);
    for (const auto& [key, value] : cp.meta) manifest += fmt::format("meta {} {}\n", key, escape(value));
    for (const auto& [name, bytes] : cp.parts) {
      const std::string file = name + ".part";
      RIVULET_RETURN_IF_ERROR(env.write_file(fmt::format("{}/{}", dir, file), bytes));
      manifest += fmt::format("part {} {} {} {}\n", name, file, bytes.size(),
                              hex64(XXH3_64bits(bytes.data(), bytes.size())));
    }
    // Linked parts: the earlier checkpoint's file under the same name, with its size and
    // checksum (load verifies the bytes as for any part).
    std::map<uint64_t, std::vector<ManifestPart>> sources;
    for (const auto& [name, from] : cp.links) {
      auto [it, added] = sources.try_emplace(from);
      if (added) {
        const std::string from_dir = fmt::format("{}/{}", options_.dir, dir_name(from));
        RIVULET_ASSIGN_OR_RETURN(std::string text, env.read_file(from_dir + "/MANIFEST"));
        auto parsed = parse_manifest(text, it->second);
        if (!parsed.ok()) {
          return Status::data_loss(
              fmt::format("{}: {}", dir_name(from), parsed.status().message()));
        }
      }
      const auto p =
          std::find_if(it->second.begin(), it->second.end(),
                       [&name = name](const ManifestPart& m) { return m.name == name; });
      if (p == it->second.end()) {
        return Status::not_found(
            fmt::format("{} has no part '{}' to link to", dir_name(from), name));
      }
      RIVULET_RETURN_IF_ERROR(env.link_file(
          fmt::format("{}/{}/{}", options_.dir, dir_name(from), p->file),
          fmt::format("{}/{}", dir, p->file)));
      manifest += fmt::format("part {} {} {} {}\n", p->name, p->file, p->size, hex64(p->hash));
    }
    manifest += fmt::format("checksum {}\n", hex64(XXH3_64bits(manifest.data(), manifest.size())));
    // Published by the rename: before it the directory is an incomplete checkpoint.
    RIVULET_RETURN_IF_ERROR(env.write_file(dir + "/MANIFEST.tmp", manifest));
    RIVULET_RETURN_IF_ERROR(env.rename(dir + "/MANIFEST.tmp", dir + "/MANIFEST"));
    RIVULET_RETURN_IF_ERROR(env.sync_dir(dir));
    return env.sync_dir(options_.dir);
  };
  if (Status s = attempt(); !s.ok()) {
    if (!env.exists(dir + "/MANIFEST")) (void)env.remove_all(dir);
    return Status(s.code(), fmt::format("checkpoint {}: {}", cp.id, s.message()));
  }
  // Retention: the newest `retain` complete checkpoints, and nothing unpublished before them.
  RIVULET_ASSIGN_OR_RETURN(auto complete, list());
  if (complete.size() > options_.retain) {
    const uint64_t oldest_kept = complete[complete.size() - options_.retain];
    RIVULET_ASSIGN_OR_RETURN(auto every, all_ids());
    for (const uint64_t id : every) {
      if (id < oldest_kept) {
        RIVULET_RETURN_IF_ERROR(env.remove_all(fmt::format("{}/{}", options_.dir, dir_name(id))));
      }
    }
  }
  return cp.id;
}

Result<Checkpoint> CheckpointStore::load(uint64_t id) {
  Env& env = *options_.env;
  const std::string dir = fmt::format("{}/{}", options_.dir, dir_name(id));
  auto text = env.read_file(dir + "/MANIFEST");
  if (!text.ok()) {
    return Status::not_found(fmt::format("{}: no MANIFEST (never published)", dir_name(id)));
  }
  std::vector<ManifestPart> parts;
  auto cp = parse_manifest(*text, parts);
  if (!cp.ok()) return Status::data_loss(fmt::format("{}: {}", dir_name(id), cp.status().message()));
  if (cp->id != id) {
    return Status::data_loss(fmt::format("{}: MANIFEST says id {}", dir_name(id), cp->id));
  }
  for (const ManifestPart& p : parts) {
    auto bytes = env.read_file(fmt::format("{}/{}", dir, p.file));
    if (!bytes.ok()) {
      return Status::data_loss(fmt::format("{}: {} is missing", dir_name(id), p.file));
    }
    if (bytes->size() != p.size) {
      return Status::data_loss(fmt::format("{}: {} has {} bytes, the MANIFEST says {}",
                                           dir_name(id), p.file, bytes->size(), p.size));
    }
    if (XXH3_64bits(bytes->data(), bytes->size()) != p.hash) {
      return Status::data_loss(fmt::format("{}: {} fails its checksum", dir_name(id), p.file));
    }
    cp->parts[p.name] = std::move(*bytes);
  }
  return std::move(*cp);
}

Result<std::optional<Checkpoint>> CheckpointStore::load_latest() {
  skipped_.clear();
  damaged_ = 0;
  RIVULET_ASSIGN_OR_RETURN(auto ids, all_ids());
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    auto cp = load(*it);
    if (cp.ok()) return std::optional<Checkpoint>(std::move(*cp));
    skipped_.push_back(std::string(cp.status().message()));
    if (cp.status().code() != StatusCode::kNotFound) ++damaged_;
  }
  return std::optional<Checkpoint>();
}

}  // namespace rivulet::checkpoint
