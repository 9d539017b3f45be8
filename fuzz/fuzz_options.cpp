// The whole command line through parse(), as main() calls it: one argument per
// line of the input (a NUL ends an argument too, as in argv). parse() decides
// every bad input itself (exit code 2 and one line naming the value); anything
// escaping it would end pardemo with std::terminate, so nothing is caught here.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return -1;  // a command line, not a file
  std::vector<std::string> args;
  std::string arg;
  for (std::size_t i = 0; i < size; ++i) {
    const char c = static_cast<char>(data[i]);
    if (c == '\n' || c == '\0') {  // an argv string cannot hold a NUL
      args.push_back(arg);
      arg.clear();
    } else {
      // wordfreq's input files are checked (opened) while parsing: keep every
      // path relative and inside the working directory, so a run touches no
      // device or pipe elsewhere on the machine.
      arg += c == '/' ? '_' : c;
    }
  }
  if (!arg.empty()) args.push_back(arg);

  const pardemo::cli::Parsed p = pardemo::cli::parse(args);
  if (!p.options) {
    FUZZ_CHECK(p.exit_code == pardemo::cli::kExitOk || p.exit_code == pardemo::cli::kExitUsage, "exit code %d",
               p.exit_code);
    if (p.exit_code == pardemo::cli::kExitUsage) {
      FUZZ_CHECK(!p.message.empty(), "a usage error without a message");
      FUZZ_CHECK(p.message.find('\n') == std::string::npos, "a usage error on more than one line: %s",
                 p.message.c_str());
    }
    return 0;
  }
  // Accepted: every value is within what the manual promises.
  const pardemo::cli::Options& o = *p.options;
  FUZZ_CHECK(p.exit_code == pardemo::cli::kExitOk, "options with exit code %d", p.exit_code);
  FUZZ_CHECK(!o.command.empty(), "no command");
  if (o.threads) FUZZ_CHECK(*o.threads >= 1 && *o.threads <= 1024, "--threads %d", *o.threads);
  FUZZ_CHECK(o.repeat >= 1 && o.repeat <= 1000, "--repeat %d", o.repeat);
  FUZZ_CHECK(o.warmup >= 0 && o.warmup <= 100, "--warmup %d", o.warmup);
  FUZZ_CHECK(o.chunk >= 1, "--chunk 0");
  if (o.size) FUZZ_CHECK(*o.size >= 1, "--size 0");
  if (o.size_class) {
    const char c = *o.size_class;
    FUZZ_CHECK(c == 'S' || c == 'W' || c == 'A' || c == 'B' || c == 'C', "class %d", c);
  }
  if (o.grid)
    FUZZ_CHECK(
        o.grid->radius >= 1 && o.grid->n > 2 * static_cast<std::uint64_t>(o.grid->radius) && o.grid->iterations >= 1,
        "stencil n %llu radius %d", static_cast<unsigned long long>(o.grid->n), o.grid->radius);
  if (o.image)
    FUZZ_CHECK(o.image->width >= 1 && o.image->height >= 1 && o.image->max_iter >= 1 &&
                   o.image->x_min < o.image->x_max && o.image->y_min < o.image->y_max,
               "mandelbrot image");
  FUZZ_CHECK(o.timeout >= 0, "--timeout %g", o.timeout);
  for (std::size_t i = 0; i < o.cpus.size(); ++i)
    FUZZ_CHECK(o.cpus[i] >= 0 && (i == 0 || o.cpus[i - 1] < o.cpus[i]), "--cpus not sorted and unique");
  for (int r : o.model_ranks) FUZZ_CHECK(r >= 1, "--ranks %d", r);
  if (o.max_workers) FUZZ_CHECK(*o.max_workers >= 1, "--max-workers %d", *o.max_workers);
  FUZZ_CHECK(o.rounds >= 1 && o.rounds <= 100, "--rounds %d", o.rounds);
  FUZZ_CHECK(o.max_bytes >= 1 && o.max_bytes <= (1ULL << 30), "--max-bytes");
  FUZZ_CHECK(o.format == "table" || o.format == "md" || o.format == "csv" || o.format == "json", "--format %s",
             o.format.c_str());
  return 0;
}
