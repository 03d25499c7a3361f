// rivulet checkpoint: the checkpoints of a store directory (list), and a learner step's model out
// of one of them (export-model), as a model file.

#include <fmt/format.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "cli/commands.h"
#include "rivulet/checkpoint/store.h"
#include "rivulet/pipeline/engine.h"
#include "rivulet/pipeline/model_export.h"

namespace rivulet::cli {

namespace {

namespace fs = std::filesystem;
using checkpoint::Checkpoint;
using checkpoint::CheckpointStore;

struct ListArgs {
  std::string dir;
};

struct ExportArgs {
  std::string dir;
  std::string step;
  std::string key;
  uint64_t id = 0;
  std::string output;
};

// Opens the store in `dir` without creating it: a mistyped directory is an error, not a new,
// empty store.
Result<std::unique_ptr<CheckpointStore>> open_store(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::not_found(fmt::format("{}: no such directory", dir));
  }
  return CheckpointStore::open({.dir = dir});
}

// "2026-03-01T12:00:05.250Z".
std::string utc_time(int64_t ms) {
  const int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  const auto t = static_cast<std::time_t>(secs);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "-";
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms - secs * 1000);
}

// Bytes of the files under a checkpoint's directory (its parts and MANIFEST).
uint64_t bytes_under(const fs::path& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      const auto size = it->file_size(size_ec);
      if (!size_ec) total += size;
    }
  }
  return total;
}

// The id of a checkpoint directory's name (`chk-000042`), if it is one.
std::optional<uint64_t> id_of(const std::string& name) {
  if (!name.starts_with("chk-") || name.size() == 4 || name.size() > 4 + 19) return std::nullopt;
  uint64_t id = 0;
  for (const char c : name.substr(4)) {
    if (c < '0' || c > '9') return std::nullopt;
    id = id * 10 + static_cast<uint64_t>(c - '0');
  }
  return id;
}

// The reason of a store error without its leading "chk-000042: " (the row names the id).
std::string reason(const std::string& message, uint64_t id) {
  const std::string prefix = CheckpointStore::dir_name(id) + ": ";
  return message.starts_with(prefix) ? message.substr(prefix.size()) : message;
}

int list_checkpoints(const ListArgs& a) {
  auto store = open_store(a.dir);
  if (!store.ok()) return fail(store.status().message());
  auto published = (*store)->list();
  if (!published.ok()) return fail(published.status().message());
  // Every chk-* directory, published or not: an unfinished one is shown too, as such.
  std::set<uint64_t> ids(published->begin(), published->end());
  std::error_code ec;
  for (fs::directory_iterator it(a.dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (auto id = id_of(it->path().filename().string())) ids.insert(*id);
  }
  if (ids.empty()) {
    std::printf("%s: no checkpoints\n", a.dir.c_str());
    return 0;
  }
  const std::set<uint64_t> complete(published->begin(), published->end());
  struct Row {
    std::string created = "-", pipeline = "-", status;
    uint64_t bytes = 0;
    bool valid = false;
  };
  std::map<uint64_t, Row> rows;
  uint64_t latest = 0;
  for (const uint64_t id : ids) {
    Row& row = rows[id];
    row.bytes = bytes_under(fs::path(a.dir) / CheckpointStore::dir_name(id));
    if (!complete.count(id)) {
      row.status = "unfinished (no MANIFEST): never published, not loaded";
      continue;
    }
    auto cp = (*store)->load(id);
    if (!cp.ok()) {
      row.status = "fails verification: " + reason(std::string(cp.status().message()), id);
      continue;
    }
    row.valid = true;
    row.status = "ok";
    // Incremental checkpoints: the longest run of change sets after a step's snapshot.
    size_t changes = 0;
    for (const auto& [name, bytes] : cp->parts) {
      changes = std::max(changes, pipeline::change_set_number(name).value_or(0));
    }
    if (changes > 0) {
      row.status += fmt::format(", incremental: {} change set{} after a snapshot", changes,
                                changes == 1 ? "" : "s");
    }
    row.created = utc_time(cp->created_ms);
    if (auto it = cp->meta.find("pipeline"); it != cp->meta.end()) row.pipeline = it->second;
    latest = id;
  }
  std::printf("%-8s %-24s %12s  %-24s %s\n", "id", "created (UTC)", "bytes", "pipeline", "status");
  for (const auto& [id, row] : rows) {
    const std::string status =
        row.valid && id == latest ? row.status + " (latest: loaded on resume)" : row.status;
    std::printf("%-8llu %-24s %12llu  %-24s %s\n", static_cast<unsigned long long>(id),
                row.created.c_str(), static_cast<unsigned long long>(row.bytes),
                row.pipeline.c_str(), status.c_str());
  }
  return 0;
}

// Writes `bytes` to `path` through a temporary file and a rename, as `rivulet eval --save`.
Status write_model_file(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return Status::unavailable(fmt::format("{}: cannot write", tmp));
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    f.flush();
    if (!f) {
      std::remove(tmp.c_str());
      return Status::unavailable(fmt::format("{}: write failed", tmp));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::unavailable(fmt::format("{}: cannot rename into place", path));
  }
  return Status();
}

int export_model(const ExportArgs& a, bool has_id) {
  auto store = open_store(a.dir);
  if (!store.ok()) return fail(store.status().message());
  Checkpoint cp;
  if (has_id) {
    auto loaded = (*store)->load(a.id);
    if (!loaded.ok()) return fail(fmt::format("{}: {}", a.dir, loaded.status().message()));
    cp = std::move(loaded).value();
  } else {
    auto latest = (*store)->load_latest();
    if (!latest.ok()) return fail(latest.status().message());
    // Newer checkpoints that do not verify are passed over, as a resuming run does: say so.
    for (const std::string& why : (*store)->skipped()) {
      std::fprintf(stderr, "rivulet: passed over %s\n", why.c_str());
    }
    if (!latest->has_value()) {
      return fail(fmt::format("{}: no checkpoint that verifies{}", a.dir,
                              (*store)->skipped().empty() ? "" : " (see above)"));
    }
    cp = std::move(**latest);
  }
  auto exported = pipeline::export_model(cp, {.step = a.step, .key = a.key});
  if (!exported.ok()) return fail(exported.status().message());
  if (Status s = write_model_file(a.output, exported->bytes); !s.ok()) return fail(s.message());

  const auto pipeline = cp.meta.find("pipeline");
  std::printf("checkpoint %s (pipeline %s, %s)\n", CheckpointStore::dir_name(cp.id).c_str(),
              pipeline == cp.meta.end() ? "-" : pipeline->second.c_str(),
              utc_time(cp.created_ms).c_str());
  std::printf("step       %zu '%s' (%s, part %s)\n", exported->step, a.step.c_str(),
              exported->kind.c_str(), exported->part.c_str());
  if (!exported->key.empty()) std::printf("key        %s\n", exported->key.c_str());
  std::printf("model      %s\n", exported->spec.c_str());
  std::printf("learned    %llu samples (%llu records)\n",
              static_cast<unsigned long long>(exported->learned),
              static_cast<unsigned long long>(exported->records));
  std::printf("saved      %s\n", a.output.c_str());
  return 0;
}

}  // namespace

Runner add_checkpoint(CLI::App& app) {
  app.require_subcommand(1);
  auto la = std::make_shared<ListArgs>();
  CLI::App* list = app.add_subcommand(
      "list",
      "the checkpoints in a store directory: id, time, size, pipeline, and why a "
      "checkpoint fails verification");
  list->add_option("dir", la->dir, "the checkpoint directory of a pipeline")->required();

  auto ea = std::make_shared<ExportArgs>();
  CLI::App* exp = app.add_subcommand(
      "export-model", "a learner step's model from the latest valid checkpoint, as a model file");
  exp->add_option("dir", ea->dir, "the checkpoint directory of a pipeline")->required();
  exp->add_option("--step,-s", ea->step, "the learner step's name (its kind when it has none)")
      ->required();
  exp->add_option("--key,-k", ea->key, "the key whose model to export (steps with per_key)");
  CLI::Option* id = exp->add_option(
      "--id", ea->id,
      "this checkpoint instead of the latest valid one (see `rivulet checkpoint list`)");
  exp->add_option("--output,-o", ea->output,
                  "the model file to write (what `rivulet eval --save` writes)")
      ->required();
  return [list, la, ea, id] {
    if (list->parsed()) return list_checkpoints(*la);
    return export_model(*ea, id->count() > 0);
  };
}

}  // namespace rivulet::cli
