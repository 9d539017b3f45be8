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

struct Options {
  std::string command;  // list, run, compare, race
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
  std::string png;         // mandelbrot: the picture, coloured by iterations
  std::string owners_png;  // mandelbrot: the picture, coloured by the worker of each row
  std::uint64_t increments = 10'000'000;  // race: increments per thread or rank
  std::vector<std::string> inputs;        // wordfreq: text files (none: a generated corpus)
  bool flat_merge = false;                // wordfreq: merge tables as flat arrays, not serialized maps
  std::optional<core::stencil::Params> grid;  // stencil: class plus --size, --radius, --iterations
  bool overlap = false;                       // stencil: non-blocking halo exchange overlapped with the interior
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

}  // namespace pardemo::cli
