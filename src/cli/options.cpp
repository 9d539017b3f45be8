#include "cli/options.hpp"

#include <CLI/CLI.hpp>
#include <unistd.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <charconv>
#include <stdexcept>

#include "cli/workloads.hpp"
#include "core/wordfreq.hpp"

namespace pardemo::cli {

std::uint64_t parse_count(const std::string& option, const std::string& text, std::uint64_t min, std::uint64_t max) {
  auto fail = [&](const std::string& why) {
    return std::invalid_argument(fmt::format("{} '{}': {}", option, text, why));
  };
  const std::string range = fmt::format("expected an integer from {} to {}", min, max);
  if (text.empty()) throw fail("empty value; " + range);
  std::string mantissa = text;
  std::uint64_t exponent = 0;
  if (auto e = text.find_first_of("eE"); e != std::string::npos) {
    mantissa = text.substr(0, e);
    const std::string exp = text.substr(e + 1);
    if (exp.empty() || exp.size() > 2) throw fail("not an integer; " + range);
    for (char c : exp)
      if (!std::isdigit(static_cast<unsigned char>(c))) throw fail("not an integer; " + range);
    exponent = std::stoull(exp);
  }
  if (mantissa.empty()) throw fail("not an integer; " + range);
  if (mantissa.front() == '-') throw fail("negative; " + range);
  for (char c : mantissa)
    if (!std::isdigit(static_cast<unsigned char>(c))) throw fail("not an integer; " + range);
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(mantissa.data(), mantissa.data() + mantissa.size(), value);
  if (ec == std::errc::result_out_of_range || ptr != mantissa.data() + mantissa.size())
    throw fail("too large; " + range);
  for (std::uint64_t i = 0; i < exponent; ++i) {
    if (value > max / 10) throw fail("too large; " + range);  // value * 10 > max, and might not fit in 64 bits
    value *= 10;
  }
  if (value < min) throw fail(value == 0 ? "must be positive; " + range : "too small; " + range);
  if (value > max) throw fail("too large; " + range);
  return value;
}

std::vector<int> parse_cpu_list(const std::string& text, int limit) {
  std::vector<int> cpus;
  std::size_t pos = 0;
  while (true) {
    const std::size_t end = text.find(',', pos);
    const std::string part = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    const std::size_t dash = part.find('-');
    const auto max = static_cast<std::uint64_t>(limit - 1);
    const std::string bad = fmt::format("--cpus '{}': '{}'", text, part);
    try {
      const std::uint64_t lo = parse_count("--cpus", dash == std::string::npos ? part : part.substr(0, dash), 0, max);
      const std::uint64_t hi = dash == std::string::npos ? lo : parse_count("--cpus", part.substr(dash + 1), 0, max);
      if (hi < lo) throw std::invalid_argument(bad + " is a descending range");
      for (std::uint64_t c = lo; c <= hi; ++c) cpus.push_back(static_cast<int>(c));
    } catch (const std::invalid_argument& e) {
      const std::string what = e.what();
      throw std::invalid_argument(
          what.starts_with("--cpus '" + text + "'")
              ? what
              : fmt::format("{} is not a CPU number or range from 0 to {} (this machine has {} CPUs)", bad, max,
                            limit));
    }
    if (end == std::string::npos) break;
    pos = end + 1;
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

namespace {

int configured_cpus() { return static_cast<int>(std::max(1L, ::sysconf(_SC_NPROCESSORS_CONF))); }

struct Raw {
  std::string workload, backend, threads, size_class, size, split, chunk, repeat, warmup, json;
  std::string width, height, max_iter, window, png, owners_png;
  std::vector<std::string> inputs;
  bool flat_merge = false;
  std::string radius, iterations, exchange;
  std::string cpus, timeout, mode, max_workers, backends, format, output, plot;
  std::vector<std::string> files;
  std::string max_bytes, rounds, ranks, alpha, beta;
};

// A finite decimal number within [min, max], nothing before or after.
double parse_number(const std::string& option, const std::string& text, double min, double max) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v))
    throw std::invalid_argument(fmt::format("{} '{}': not a number", option, text));
  if (v < min || v > max)
    throw std::invalid_argument(fmt::format("{} '{}': expected a number from {} to {}", option, text, min, max));
  return v;
}

// "a,b,c": non-empty comma-separated items.
std::vector<std::string> split_list(const std::string& option, const std::string& text) {
  std::vector<std::string> items;
  std::size_t pos = 0;
  while (true) {
    const std::size_t end = text.find(',', pos);
    std::string item = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
    if (item.empty()) throw std::invalid_argument(fmt::format("{} '{}': empty item in the list", option, text));
    items.push_back(std::move(item));
    if (end == std::string::npos) return items;
    pos = end + 1;
  }
}

// "X0,X1,Y0,Y1": four finite numbers, nothing else.
std::array<double, 4> parse_window(const std::string& text) {
  std::array<double, 4> v{};
  std::size_t pos = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const std::size_t end = i < 3 ? text.find(',', pos) : text.size();
    if (end == std::string::npos) break;
    const std::string part = text.substr(pos, end - pos);
    auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v[i]);
    if (part.empty() || ec != std::errc() || ptr != part.data() + part.size() || !std::isfinite(v[i]))
      throw std::invalid_argument(fmt::format("--window '{}': '{}' is not a number; expected X0,X1,Y0,Y1", text, part));
    pos = end + 1;
    if (i == 3) return v;
  }
  throw std::invalid_argument(fmt::format("--window '{}': expected four numbers X0,X1,Y0,Y1", text));
}

void add_run_options(CLI::App& sub, Raw& raw, bool with_backend) {
  sub.add_option("workload", raw.workload, "Workload to run: " + workload_names())->required();
  sub.add_option("inputs", raw.inputs, "wordfreq: text files to count (default: a generated corpus of --size bytes)");
  sub.add_flag("--flat-merge", raw.flat_merge,
               "wordfreq: send tables as flat arrays (fixed MPI datatypes) instead of serialized maps");
  if (with_backend)
    sub.add_option("-b,--backend", raw.backend,
                   "serial | threads | mpi | hybrid (default: mpi under mpirun with more than one rank, else serial)");
  sub.add_option("-t,--threads", raw.threads,
                 with_backend ? "Threads for the threads backend (default: cores), threads per rank for hybrid "
                                "(default: cores / ranks on the host)"
                              : "Threads for the threads run (default: the number of ranks)");
  sub.add_option("-c,--class", raw.size_class, "Problem class S|W|A|B|C (see `pardemo list`)");
  sub.add_option("-n,--size", raw.size, "Problem size N (primes: count primes <= N; 1e8 notation allowed)");
  sub.add_option("--split", raw.split, "How items are dealt to workers: block | cyclic | dynamic (default block)");
  sub.add_option("--chunk", raw.chunk, "Items per chunk for --split cyclic and dynamic (default 1)");
  sub.add_option("-r,--repeat", raw.repeat,
                 "Timed repeats per backend; the summary reports the median (default: 1 for run, 5 for compare)");
  sub.add_option("--warmup", raw.warmup, "Untimed runs before the timed repeats (default 0)");
  sub.add_option("--json", raw.json, "Append one JSON record per backend run to FILE (JSON lines)");
  sub.add_option("--radius", raw.radius, "stencil: star radius R, 1 to 8 (default 2)");
  sub.add_option("--iterations", raw.iterations, "stencil: iterations (overrides the class)");
  sub.add_option(
      "--exchange", raw.exchange,
      "stencil: halo exchange between ranks, blocking | overlap (non-blocking, interior computed meanwhile)");
  sub.add_option("--width", raw.width, "mandelbrot: image width in pixels (overrides the class)");
  sub.add_option("--height", raw.height, "mandelbrot: image height in pixels (overrides the class)");
  sub.add_option("--max-iter", raw.max_iter, "mandelbrot: iteration limit (overrides the class)");
  sub.add_option("--window", raw.window,
                 "mandelbrot: the region X0,X1,Y0,Y1 of the complex plane (overrides the class)");
  sub.add_option("--png", raw.png, "mandelbrot: write the picture, coloured by iterations, to FILE");
  sub.add_option("--owners-png", raw.owners_png,
                 "mandelbrot: write the picture coloured by the worker that computed each row to FILE");
  sub.add_option("--cpus", raw.cpus,
                 "Pin every rank (and its threads) to these CPUs, e.g. 0 or 0,1 or 0-3 (default: as launched)");
  sub.add_option("--timeout", raw.timeout,
                 "Stop the whole job with exit code 4 when it runs longer than SECONDS (default: no limit)");
}

void add_summary_options(CLI::App& sub, Raw& raw) {
  sub.add_option(
      "--format", raw.format,
      "report: the format on stdout and in --output; sweep: the format of --output (the terminal gets the table): table | md | csv | json (default table)");
  sub.add_option("-o,--output", raw.output, "Also write the scaling summary in --format to FILE");
  sub.add_option("--plot", raw.plot, "Write speedup, efficiency, per-worker and timeline plots (PNG and SVG) into DIR");
}

void validate_summary(const Raw& raw, Options& o) {
  if (!raw.format.empty()) {
    if (raw.format != "table" && raw.format != "md" && raw.format != "csv" && raw.format != "json")
      throw std::invalid_argument(fmt::format("unknown format '{}' (known: table, md, csv, json)", raw.format));
    o.format = raw.format;
  }
  o.output = raw.output;
  o.plot_dir = raw.plot;
}

Options validate(const std::string& command, const Raw& raw) {
  Options o;
  o.command = command;
  o.workload = raw.workload;
  if (!is_workload(o.workload))
    throw std::invalid_argument(fmt::format("unknown workload '{}' (known: {})", o.workload, workload_names()));
  if (!raw.backend.empty()) {
    o.backend = backends::parse_kind(raw.backend);
    if (!o.backend)
      throw std::invalid_argument(
          fmt::format("unknown backend '{}' (known: serial, threads, mpi, hybrid)", raw.backend));
  }
  if (!raw.threads.empty()) {
    o.threads = static_cast<int>(parse_count("--threads", raw.threads, 1, 1024));
    if (o.backend && (*o.backend == backends::Kind::serial || *o.backend == backends::Kind::mpi))
      throw std::invalid_argument(
          fmt::format("--threads applies to the threads and hybrid backends, not {}", backends::to_string(*o.backend)));
  }
  if (!raw.size_class.empty()) {
    std::string c = raw.size_class;
    if (c.size() != 1 || std::string("SWABC").find(static_cast<char>(std::toupper(static_cast<unsigned char>(c[0])))) ==
                             std::string::npos)
      throw std::invalid_argument(fmt::format("unknown class '{}' (known: S, W, A, B, C)", raw.size_class));
    o.size_class = static_cast<char>(std::toupper(static_cast<unsigned char>(c[0])));
  }
  const bool image_options = !raw.width.empty() || !raw.height.empty() || !raw.max_iter.empty() ||
                             !raw.window.empty() || !raw.png.empty() || !raw.owners_png.empty();
  if (image_options && o.workload != "mandelbrot")
    throw std::invalid_argument(fmt::format(
        "--width, --height, --max-iter, --window, --png and --owners-png apply to mandelbrot, not {}", o.workload));
  if (o.workload == "mandelbrot") {
    core::mandelbrot::Params p = *core::mandelbrot::find_class(o.size_class.value_or(core::mandelbrot::kDefaultClass));
    if (!raw.width.empty()) p.width = static_cast<std::uint32_t>(parse_count("--width", raw.width, 1, 1U << 20));
    if (!raw.height.empty()) p.height = static_cast<std::uint32_t>(parse_count("--height", raw.height, 1, 1U << 20));
    if (!raw.max_iter.empty())
      p.max_iter = static_cast<std::uint32_t>(parse_count("--max-iter", raw.max_iter, 1, 1U << 30));
    if (!raw.window.empty()) {
      const auto v = parse_window(raw.window);
      p.x_min = v[0];
      p.x_max = v[1];
      p.y_min = v[2];
      p.y_max = v[3];
    }
    if (const std::string problem = core::mandelbrot::validate(p); !problem.empty())
      throw std::invalid_argument("mandelbrot: " + problem);
    o.image = p;
    o.png = raw.png;
    o.owners_png = raw.owners_png;
  }
  if ((!raw.radius.empty() || !raw.iterations.empty() || !raw.exchange.empty()) && o.workload != "stencil")
    throw std::invalid_argument(
        fmt::format("--radius, --iterations and --exchange apply to stencil, not {}", o.workload));
  if (o.workload == "stencil") {
    core::stencil::Params p = *core::stencil::find_class(o.size_class.value_or(core::stencil::kDefaultClass));
    if (!raw.size.empty()) p.n = parse_count("--size", raw.size, 1, 1ULL << 20);
    if (!raw.radius.empty())
      p.radius = static_cast<int>(parse_count("--radius", raw.radius, 1, core::stencil::kMaxRadius));
    if (!raw.iterations.empty()) p.iterations = parse_count("--iterations", raw.iterations, 1, 1'000'000);
    if (const std::string problem = core::stencil::validate(p); !problem.empty())
      throw std::invalid_argument("stencil: " + problem);
    if (!raw.exchange.empty() && raw.exchange != "blocking" && raw.exchange != "overlap")
      throw std::invalid_argument(fmt::format("unknown exchange '{}' (known: blocking, overlap)", raw.exchange));
    if (!raw.size.empty() && !raw.size_class.empty())
      throw std::invalid_argument("give either --class or --size, not both");
    o.grid = p;
    o.overlap = raw.exchange == "overlap";
  }
  if ((!raw.inputs.empty() || raw.flat_merge) && o.workload != "wordfreq")
    throw std::invalid_argument(fmt::format("input files and --flat-merge apply to wordfreq, not {} (unexpected '{}')",
                                            o.workload, raw.inputs.empty() ? "--flat-merge" : raw.inputs.front()));
  if (o.workload == "wordfreq") {
    for (const auto& f : raw.inputs)
      if (auto problem = core::wordfreq::check_file(f)) throw std::invalid_argument(*problem);
    if (!raw.inputs.empty() && (!raw.size.empty() || !raw.size_class.empty()))
      throw std::invalid_argument(
          "wordfreq counts either the files given or a generated corpus of --size/--class bytes, not both");
    o.inputs = raw.inputs;
    o.flat_merge = raw.flat_merge;
  }
  if (!raw.size.empty() && o.workload != "stencil") {
    if (o.workload != "primes" && o.workload != "sort" && o.workload != "wordfreq")
      throw std::invalid_argument(fmt::format("{} is sized by --class S|W|A|B|C, not --size", o.workload));
    if (o.size_class) throw std::invalid_argument("give either --class or --size, not both");
    const std::uint64_t max = o.workload == "sort"       ? (1ULL << 32)
                              : o.workload == "wordfreq" ? (1ULL << 34)
                                                         : core::primes::kMaxN;
    o.size = parse_count("--size", raw.size, 1, max);
  }
  if (!raw.split.empty()) {
    auto s = backends::parse_split(raw.split);
    if (!s) throw std::invalid_argument(fmt::format("unknown split '{}' (known: block, cyclic, dynamic)", raw.split));
    o.split = *s;
  }
  if (!raw.chunk.empty()) o.chunk = parse_count("--chunk", raw.chunk, 1, 1ULL << 40);
  // compare reports medians of several repeats by default; run does one.
  o.repeat = command == "compare" ? 5 : 1;
  if (!raw.repeat.empty()) o.repeat = static_cast<int>(parse_count("--repeat", raw.repeat, 1, 1000));
  if (!raw.warmup.empty()) o.warmup = static_cast<int>(parse_count("--warmup", raw.warmup, 0, 100));
  o.json = raw.json;
  if (!raw.cpus.empty()) o.cpus = parse_cpu_list(raw.cpus, configured_cpus());
  if (!raw.timeout.empty()) o.timeout = parse_number("--timeout", raw.timeout, 0.001, 1e7);
  if (command == "sweep") {
    if (raw.mode != "strong" && raw.mode != "weak")
      throw std::invalid_argument(raw.mode.empty() ? "sweep needs --mode strong or --mode weak"
                                                   : fmt::format("unknown mode '{}' (known: strong, weak)", raw.mode));
    o.mode = raw.mode;
    if (o.mode == "weak" && !o.inputs.empty())
      throw std::invalid_argument(
          "a weak sweep grows a generated corpus with the workers; it cannot grow the files given");
    if (!raw.max_workers.empty())
      o.max_workers = static_cast<int>(parse_count("--max-workers", raw.max_workers, 1, 1024));
    for (const auto& b : split_list("--backends", raw.backends.empty() ? "threads,mpi" : raw.backends)) {
      const auto kind = backends::parse_kind(b);
      if (!kind || *kind == backends::Kind::serial)
        throw std::invalid_argument(
            fmt::format("--backends: unknown backend '{}' (known: threads, mpi, hybrid; the serial "
                        "baseline is always measured)",
                        b));
      if (std::find(o.sweep_backends.begin(), o.sweep_backends.end(), *kind) == o.sweep_backends.end())
        o.sweep_backends.push_back(*kind);
    }
    o.repeat = raw.repeat.empty() ? 3 : o.repeat;
  }
  if (command == "model") {
    for (const auto& r : split_list("--ranks", raw.ranks.empty() ? "1,2,4,8,16,32,64,128,256,512,1024" : raw.ranks))
      o.model_ranks.push_back(static_cast<int>(parse_count("--ranks", r, 1, 1 << 20)));
    if (!raw.alpha.empty()) o.alpha = parse_number("--alpha", raw.alpha, 0, 1);
    if (!raw.beta.empty()) o.beta = parse_number("--beta", raw.beta, 1, 1e15);
  }
  validate_summary(raw, o);
  return o;
}

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

constexpr const char* kCommands = "list, run, compare, sweep, race, report, pingpong, model, overlap";

bool is_command(const std::string& s) {
  for (const char* c : {"list", "run", "compare", "sweep", "race", "report", "pingpong", "model", "overlap"})
    if (s == c) return true;
  return false;
}

}  // namespace

Parsed parse(const std::vector<std::string>& args) {
  CLI::App app{
      "pardemo: one workload run serially, as threads, as MPI ranks and as ranks x threads;\n"
      "every run verifies its answer and prints who computed, who waited and who talked.",
      "pardemo"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "pardemo " + std::string(PARDEMO_VERSION));
  app.footer(
      "Exit codes: 0 success, 1 a result failed verification, 2 bad usage, 3 runtime error.\n"
      "Run under mpirun for MPI: mpirun -np 4 pardemo compare ep --class S");
  Raw raw;
  auto* list = app.add_subcommand("list", "List the workloads, their sizes and what each demonstrates");
  auto* run = app.add_subcommand("run", "Run one workload on one backend, verify it and print the timing summary");
  auto* compare = app.add_subcommand(
      "compare", "Run a workload serially, with threads and with the MPI ranks, verify each and compare the timings");
  auto* sweep = app.add_subcommand(
      "sweep", "Measure a scaling curve in one job: 1, 2, 4, ... N workers on each backend, plus the serial baseline");
  auto* report =
      app.add_subcommand("report", "Merge JSON records of any number of runs into one scaling summary and plots");
  auto* pingpong = app.add_subcommand(
      "pingpong", "Latency and bandwidth between ranks 0 and 1: raw MPI, Boost.MPI arrays, Boost.MPI serialized");
  auto* model = app.add_subcommand(
      "model", "Predict strong scaling to many ranks from the measured serial time and the network's alpha and beta");
  add_run_options(*run, raw, true);
  add_run_options(*compare, raw, false);
  add_run_options(*sweep, raw, false);
  sweep->add_option("--mode", raw.mode, "strong (fixed total size) or weak (fixed size per worker)")->required();
  sweep->add_option("--max-workers", raw.max_workers, "Largest worker count (default: the ranks of the job)");
  sweep->add_option("--backends", raw.backends, "Comma-separated: threads, mpi, hybrid (default threads,mpi)");
  add_summary_options(*sweep, raw);
  report->add_option("files", raw.files, "JSON-lines files written by --json")->required();
  add_summary_options(*report, raw);
  pingpong->add_option("--max-bytes", raw.max_bytes, "Largest message, 1 to 2^30 bytes (default 4 MiB)");
  pingpong->add_option("--rounds", raw.rounds,
                       "Measure each size and way R times, interleaved, and keep the median (default 1)");
  pingpong->add_option("--json", raw.json, "Append the table as one JSON line (schema pardemo.pingpong/1) to FILE");
  pingpong->add_option("--timeout", raw.timeout, "Stop the whole job with exit code 4 after SECONDS");
  add_run_options(*model, raw, false);
  model->add_option("--ranks", raw.ranks, "Comma-separated rank counts to predict (default 1,2,4,...,1024)");
  model->add_option("--alpha", raw.alpha, "Latency per message in seconds (default: measured by a ping-pong)");
  model->add_option("--beta", raw.beta, "Bandwidth in bytes per second (default: measured by a ping-pong)");
  auto* race = app.add_subcommand(
      "race", "The shared-state hazard: threads adding to one counter, unsynchronized and four safe ways");
  std::string race_threads;
  std::string increments;
  race->add_option("-t,--threads", race_threads, "Threads adding to the counter, 1 to 1024 (default 2)");
  race->add_option("-k,--increments", increments, "Increments per thread (and per rank), 1 to 10^10 (default 10^7)");
  race->add_option("--cpus", raw.cpus,
                   "Pin every rank and its threads to these CPUs, e.g. 0 or 0,1 (default: as launched)");
  auto* overlap = app.add_subcommand(
      "overlap",
      "Tasks that wait, overlapped on one thread by an event loop; tasks that compute, on one thread and on N");
  std::string tasks, wait_ms, compute_ms;
  overlap->add_option("--tasks", tasks, "Number of tasks, 1 to 10000 (default 8)");
  overlap->add_option("--wait-ms", wait_ms, "Waiting (I/O latency) per waiting task in ms, 1 to 60000 (default 100)");
  overlap->add_option(
      "--compute-ms", compute_ms,
      "Computation per computing task in ms, 0.1 to 60000 (default 50); waiting tasks compute 1/20 of it");
  overlap->add_option("-t,--threads", race_threads,
                      "Threads for the threaded way, 1 to 1024 (default: the CPUs allowed, at least 2)");
  overlap->add_option("--cpus", raw.cpus, "Pin the process to these CPUs, e.g. 0 or 0,1 (default: as launched)");
  overlap->add_option("--format", raw.format, "table | md | json on stdout and in --output (default table)");
  overlap->add_option("-o,--output", raw.output, "Also write the report in --format to FILE");

  if (!args.empty() && !args.front().empty() && args.front().front() != '-' && !is_command(args.front()))
    return {std::nullopt, kExitUsage, fmt::format("unknown command '{}' (known: {})", args.front(), kCommands)};
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    return {std::nullopt, kExitOk, app.get_subcommands().empty() ? app.help() : app.get_subcommands().front()->help()};
  } catch (const CLI::CallForAllHelp&) {
    return {std::nullopt, kExitOk, app.help("", CLI::AppFormatMode::All)};
  } catch (const CLI::CallForVersion&) {
    return {std::nullopt, kExitOk, "pardemo " + std::string(PARDEMO_VERSION) + "\n"};
  } catch (const CLI::RequiredError& e) {
    if (args.empty())
      return {std::nullopt, kExitUsage, fmt::format("no command given (commands: {}; see pardemo --help)", kCommands)};
    return {std::nullopt, kExitUsage, one_line(e.what())};
  } catch (const CLI::ParseError& e) {
    return {std::nullopt, kExitUsage, one_line(e.what())};
  }
  if (list->parsed()) {
    Options o;
    o.command = "list";
    return {o, kExitOk, {}};
  }
  if (race->parsed()) {
    try {
      Options o;
      o.command = "race";
      o.threads = race_threads.empty() ? 2 : static_cast<int>(parse_count("--threads", race_threads, 1, 1024));
      if (!increments.empty()) o.increments = parse_count("--increments", increments, 1, 10'000'000'000ULL);
      if (!raw.cpus.empty()) o.cpus = parse_cpu_list(raw.cpus, configured_cpus());
      return {o, kExitOk, {}};
    } catch (const std::invalid_argument& e) {
      return {std::nullopt, kExitUsage, one_line(e.what())};
    }
  }
  if (overlap->parsed()) {
    try {
      Options o;
      o.command = "overlap";
      if (!race_threads.empty()) o.threads = static_cast<int>(parse_count("--threads", race_threads, 1, 1024));
      if (!tasks.empty()) o.tasks = parse_count("--tasks", tasks, 1, 10'000);
      if (!wait_ms.empty()) o.wait_ms = parse_number("--wait-ms", wait_ms, 1, 60'000);
      if (!compute_ms.empty()) o.compute_ms = parse_number("--compute-ms", compute_ms, 0.1, 60'000);
      // Sequentially, the waiting tasks take tasks x (wait + compute / 20) and the
      // computing tasks tasks x compute, twice (one thread, then the event loop).
      const double sequential_s = static_cast<double>(o.tasks) * (o.wait_ms + o.compute_ms * (2 + 1.0 / 20)) / 1000;
      constexpr double kMaxSeconds = 600;
      if (sequential_s > kMaxSeconds)
        throw std::invalid_argument(fmt::format(
            "--tasks {} with --wait-ms {} and --compute-ms {} would run for about {:.0f} s one task after another; "
            "at most {:.0f} s",
            o.tasks, o.wait_ms, o.compute_ms, sequential_s, kMaxSeconds));
      if (!raw.cpus.empty()) o.cpus = parse_cpu_list(raw.cpus, configured_cpus());
      if (!raw.format.empty()) {
        if (raw.format != "table" && raw.format != "md" && raw.format != "json")
          throw std::invalid_argument(fmt::format("unknown format '{}' (known: table, md, json)", raw.format));
        o.format = raw.format;
      }
      o.output = raw.output;
      return {o, kExitOk, {}};
    } catch (const std::invalid_argument& e) {
      return {std::nullopt, kExitUsage, one_line(e.what())};
    }
  }
  try {
    if (report->parsed()) {
      Options o;
      o.command = "report";
      o.files = raw.files;
      validate_summary(raw, o);
      return {o, kExitOk, {}};
    }
    if (pingpong->parsed()) {
      Options o;
      o.command = "pingpong";
      if (!raw.max_bytes.empty()) o.max_bytes = parse_count("--max-bytes", raw.max_bytes, 1, 1ULL << 30);
      if (!raw.rounds.empty()) o.rounds = static_cast<int>(parse_count("--rounds", raw.rounds, 1, 100));
      o.json = raw.json;
      if (!raw.timeout.empty()) o.timeout = parse_number("--timeout", raw.timeout, 0.001, 1e7);
      return {o, kExitOk, {}};
    }
    const std::string command = run->parsed()       ? "run"
                                : compare->parsed() ? "compare"
                                : sweep->parsed()   ? "sweep"
                                                    : "model";
    return {validate(command, raw), kExitOk, {}};
  } catch (const std::invalid_argument& e) {
    return {std::nullopt, kExitUsage, one_line(e.what())};
  }
}

}  // namespace pardemo::cli
