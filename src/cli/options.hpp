#pragma once
// The command line: parsed and validated without MPI, identically on every rank,
// so every rank reaches the same decision without talking to the others.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backends/backend.hpp"
#include "core/mandelbrot.hpp"
#include "core/stencil.hpp"
#include "core/range.hpp"

namespace pardemo::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitVerification = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRuntime = 3;
inline constexpr int kExitTimeout = 4;  // --timeout expired: the whole job was stopped

struct Options {
  std::string command;  // list, run, compare, sweep, race, report, pingpong, model, overlap
  std::string workload;
  std::optional<backends::Kind> backend;
  std::optional<int> threads;
  std::optional<char> size_class;
  std::optional<std::uint64_t> size;
  core::Split split = core::Split::block;
  std::uint64_t chunk = 1;
  int repeat = 1;
  int warmup = 0;
  std::string json;
  std::optional<core::mandelbrot::Params> image;  // mandelbrot: class plus --width etc.
  std::string png;                                // mandelbrot: the picture, coloured by iterations
  std::string owners_png;                         // mandelbrot: the picture, coloured by the worker of each row
  std::uint64_t increments = 10'000'000;          // race: increments per thread or rank
  std::vector<std::string> inputs;                // wordfreq: text files (none: a generated corpus)
  bool flat_merge = false;                        // wordfreq: merge tables as flat arrays, not serialized maps
  std::optional<core::stencil::Params> grid;      // stencil: class plus --size, --radius, --iterations
  bool overlap = false;                           // stencil: non-blocking halo exchange overlapped with the interior
  double timeout = 0;                             // seconds before the watchdog ends the job (0: none)
  std::vector<int> cpus;                          // --cpus: pin every rank to these CPUs (empty: leave as launched)
  // sweep
  std::string mode;                            // strong | weak
  std::optional<int> max_workers;              // default: the ranks of the job
  std::vector<backends::Kind> sweep_backends;  // default: threads, mpi
  // sweep and report
  std::string format = "table";    // table | md | csv | json
  std::string output;              // the summary in --format to FILE as well as the table on stdout
  std::string plot_dir;            // PNG and SVG plots into DIR
  std::vector<std::string> files;  // report: JSON-lines record files
  // pingpong
  std::uint64_t max_bytes = 4ULL << 20;
  int rounds = 1;  // pingpong: measurements of each size and way; the median is kept
  // model
  std::vector<int> model_ranks;
  std::optional<double> alpha;  // seconds
  std::optional<double> beta;   // bytes per second
  // overlap
  std::uint64_t tasks = 8;
  double wait_ms = 100;    // per task, the waiting (I/O latency) of a waiting task
  double compute_ms = 50;  // per task, the computation of a computing task
};

// What parsing decided: run with `options`, or stop now with `exit_code`, after
// printing `message` (help text on stdout, or one error line on stderr).
struct Parsed {
  std::optional<Options> options;
  int exit_code = kExitOk;
  std::string message;
};

Parsed parse(const std::vector<std::string>& args);

// Strict unsigned integer: digits only (or <digits>e<exponent>, such as 1e8),
// nothing before or after, within [min, max]. Throws std::invalid_argument with a
// message that names the option and the value.
std::uint64_t parse_count(const std::string& option, const std::string& text, std::uint64_t min, std::uint64_t max);

// "0,2-3" -> {0, 2, 3}: CPU numbers below `limit`, each once, sorted. Throws
// std::invalid_argument naming the bad part.
std::vector<int> parse_cpu_list(const std::string& text, int limit);

}  // namespace pardemo::cli
