#pragma once
// The subcommands of the rivulet binary. Each registers its options on a CLI11 subcommand and
// returns the process exit status when run.

#include <CLI/CLI.hpp>

#include <functional>

namespace rivulet::cli {

using Runner = std::function<int()>;

Runner add_eval(CLI::App& app);
Runner add_predict(CLI::App& app);
Runner add_inspect(CLI::App& app);
Runner add_models(CLI::App& app);
Runner add_gen(CLI::App& app);
Runner add_run(CLI::App& app);
Runner add_checkpoint(CLI::App& app);
Runner add_savepoint(CLI::App& app);

// Prints "rivulet: <message>" on stderr and returns 1.
int fail(const std::string& message);

}  // namespace rivulet::cli
