// `pardemo overlap`: when tasks wait, overlapping them on one thread hides the
// waiting; when they compute, only more cores help. One table, every figure
// measured in this run, every conclusion computed from those figures.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "backends/overlap.hpp"
#include "cli/commands.hpp"
#include "report/record.hpp"

namespace pardemo::cli {

namespace {

namespace ov = backends::overlap;

struct Case {
  std::string name;  // e.g. "waiting, event loop"
  std::string how;   // how the tasks ran
  int threads = 1;
  double wall = 0;      // measured, s
  double expected = 0;  // the bound, s
  std::string bound;    // what the bound is
  double ratio = 0;     // wall / the sequential wall of the same tasks
  std::uint64_t checksum = 0;
  std::string conclusion;
};

std::string cpu_list(const std::vector<int>& cpus) {
  std::string s;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    s += (s.empty() ? "" : ",") + (j == i ? std::to_string(cpus[i]) : fmt::format("{}-{}", cpus[i], cpus[j]));
    i = j + 1;
  }
  return s.empty() ? "unknown" : s;
}

std::string hex(std::uint64_t v) { return fmt::format("{:016x}", v); }

// An aligned table; columns listed in `left` are left-aligned, the rest right.
std::string aligned(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                    const std::vector<bool>& left) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& r : rows) width[c] = std::max(width[c], r[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (c > 0) out += "  ";
      out += left[c] ? fmt::format("{:<{}}", cells[c], width[c]) : fmt::format("{:>{}}", cells[c], width[c]);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header);
  for (const auto& r : rows) out += line(r);
  return out;
}

std::string markdown(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                     const std::vector<bool>& left) {
  std::string out = "|";
  for (const auto& h : header) out += " " + h + " |";
  out += "\n|";
  for (bool l : left) out += l ? "---|" : "---:|";
  out += "\n";
  for (const auto& r : rows) {
    out += "|";
    for (const auto& c : r) out += " " + c + " |";
    out += "\n";
  }
  return out;
}

void write_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) throw std::runtime_error(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error(fmt::format("cannot write {}", path));
  }
}

}  // namespace

int overlap(const Options& o) {
  if (const std::string problem = report::check_writable(o.output); !o.output.empty() && !problem.empty()) {
    fmt::print(stderr, "pardemo: error: --output: {}\n", problem);
    return kExitUsage;
  }
  if (const std::string problem = pin_to_cpus(o.cpus); !problem.empty()) {
    fmt::print(stderr, "pardemo: error: {}\n", problem);
    return kExitUsage;
  }
  const std::vector<int> cpus = ov::allowed_cpus();
  const int ncpus = std::max<int>(1, static_cast<int>(cpus.size()));
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  const int nthreads = o.threads.value_or(std::max(2, ncpus));

  // The kernel's speed on this thread turns milliseconds into steps; every way
  // then computes exactly those steps.
  const double rate = ov::steps_per_second(0.05);
  const auto steps_for = [&](double ms) {
    return std::max<std::uint64_t>(1, static_cast<std::uint64_t>(rate * ms / 1000));
  };
  const double light_ms = o.compute_ms / 20;
  const auto wait = std::chrono::microseconds(static_cast<std::int64_t>(std::llround(o.wait_ms * 1000)));
  const ov::Tasks waiting{o.tasks, wait, steps_for(light_ms), 8};
  const ov::Tasks computing{o.tasks, std::chrono::microseconds(0), steps_for(o.compute_ms), 8};
  const auto n = static_cast<double>(o.tasks);
  const double light_s = static_cast<double>(waiting.steps) / rate;
  const double heavy_s = static_cast<double>(computing.steps) / rate;
  const double wait_s = o.wait_ms / 1000;

  const ov::Run ws = ov::sequential(waiting);
  const ov::Run wl = ov::event_loop(waiting);
  const ov::Run cs = ov::sequential(computing);
  const ov::Run cl = ov::event_loop(computing);
  const ov::Run ct = ov::threads(computing, nthreads);

  std::vector<Case> cases;
  {
    Case c{"waiting, sequential",
           "one after another",
           1,
           ws.seconds,
           n * (wait_s + light_s),
           "sum of waits + compute",
           1.0,
           ws.checksum,
           {}};
    c.conclusion = fmt::format("baseline: waiting was {:.0f}% of it ({:.3f} of {:.3f} s)", 100 * n * wait_s / c.wall,
                               n * wait_s, c.wall);
    cases.push_back(c);
  }
  {
    Case c{"waiting, event loop",    "overlapped on 1 thread", 1,           wl.seconds, wait_s + n * light_s,
           "longest wait + compute", wl.seconds / ws.seconds,  wl.checksum, {}};
    const double hideable = (n - 1) * wait_s;  // all waits but the longest
    const double saved = ws.seconds - wl.seconds;
    c.conclusion =
        hideable > 0
            ? fmt::format("overlap hid {:.0f}% of the waiting it could hide ({:.3f} of {:.3f} s): {:.1f}x faster",
                          100 * saved / hideable, saved, hideable, ws.seconds / wl.seconds)
            : "one task: nothing to overlap with";
    cases.push_back(c);
  }
  {
    Case c{"computing, sequential",
           "one after another",
           1,
           cs.seconds,
           n * heavy_s,
           "sum of compute",
           1.0,
           cs.checksum,
           {}};
    c.conclusion = fmt::format("baseline: computing all the time, {:.0f}% of the expected {:.3f} s",
                               100 * c.wall / c.expected, c.expected);
    cases.push_back(c);
  }
  {
    Case c{"computing, event loop", "overlapped on 1 thread", 1,           cl.seconds, n * heavy_s,
           "sum of compute",        cl.seconds / cs.seconds,  cl.checksum, {}};
    c.conclusion = c.ratio >= 0.9
                       ? fmt::format(
                             "no gain (ratio {:.2f}): the one thread still computed all {:.3f} s, the tasks only "
                             "took turns",
                             c.ratio, n * heavy_s)
                       : fmt::format(
                             "ratio {:.2f}: faster than one thread can compute; the sequential run was slowed "
                             "by other load",
                             c.ratio);
    cases.push_back(c);
  }
  {
    const double rounds = std::max(std::ceil(n / nthreads), n / ncpus);
    Case c{fmt::format("computing, {} threads", nthreads),
           "on threads",
           nthreads,
           ct.seconds,
           rounds * heavy_s,
           fmt::format("compute over {} core{}", std::min(nthreads, ncpus), std::min(nthreads, ncpus) == 1 ? "" : "s"),
           ct.seconds / cs.seconds,
           ct.checksum,
           {}};
    const double speedup = cs.seconds / ct.seconds;
    const double ideal = n / rounds;
    if (nthreads > 1 && ncpus > 1) {
      c.conclusion = fmt::format("{} threads on {} CPU{}: {:.2f}x faster, {:.0f}% of the {:.1f}x the cores allow",
                                 nthreads, ncpus, ncpus == 1 ? "" : "s", speedup, 100 * speedup / ideal, ideal);
    } else if (nthreads > 1) {
      c.conclusion =
          fmt::format("{} threads on 1 CPU: {:.2f}x, concurrent but not parallel: they took turns", nthreads, speedup);
    } else {
      c.conclusion = fmt::format("1 thread: {:.2f}x, nothing ran in parallel", speedup);
    }
    cases.push_back(c);
  }

  const bool waiting_same = ws.checksum == wl.checksum;
  const bool computing_same = cs.checksum == cl.checksum && cs.checksum == ct.checksum;
  const std::string header = fmt::format(
      "pardemo overlap: {} tasks; a waiting task waits {} ms, then computes {:.3f} ms; a computing task computes {:.3f} "
      "ms ({} steps at {:.0f} Msteps/s)\n"
      "CPUs this process may run on: {} ({} of {} online{})\n",
      o.tasks, o.wait_ms, light_s * 1000, heavy_s * 1000, computing.steps, rate / 1e6, cpu_list(cpus), cpus.size(),
      online, o.cpus.empty() ? "" : ", pinned by --cpus");
  std::string checks = fmt::format(
      "Checksums: waiting tasks {} {}; computing tasks {} {}\n", hex(ws.checksum),
      waiting_same ? "in both ways" : fmt::format("(sequential) vs {} (event loop): DIFFERENT", hex(wl.checksum)),
      hex(cs.checksum),
      computing_same ? "in all three ways"
                     : fmt::format("(sequential) vs {} (event loop) vs {} (threads): DIFFERENT", hex(cl.checksum),
                                   hex(ct.checksum)));

  std::string text;
  if (o.format == "json") {
    nlohmann::json j;
    j["schema"] = "pardemo.overlap/1";
    j["version"] = report::program_version();
    j["tasks"] = o.tasks;
    j["wait_ms"] = o.wait_ms;
    j["compute_ms"] = o.compute_ms;
    j["waiting_task_compute_s"] = light_s;
    j["computing_task_compute_s"] = heavy_s;
    j["steps_per_second"] = rate;
    j["cpus_allowed"] = cpus;
    j["cpus_online"] = online;
    j["pinned"] = !o.cpus.empty();
    j["threads"] = nthreads;
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& c : cases)
      rows.push_back({{"case", c.name},
                      {"how", c.how},
                      {"threads", c.threads},
                      {"wall_s", c.wall},
                      {"expected_s", c.expected},
                      {"expected", c.bound},
                      {"ratio", c.ratio},
                      {"checksum", hex(c.checksum)},
                      {"conclusion", c.conclusion}});
    j["cases"] = rows;
    j["checksums_identical"] = waiting_same && computing_same;
    text = j.dump() + "\n";
  } else {
    const std::vector<std::string> head{"case",        "threads", "wall (s)",  "expected (s)",
                                        "expected is", "ratio",   "conclusion"};
    std::vector<std::vector<std::string>> rows;
    rows.reserve(cases.size());
    for (const auto& c : cases)
      rows.push_back({c.name, std::to_string(c.threads), fmt::format("{:.3f}", c.wall),
                      fmt::format("{:.3f}", c.expected), c.bound, fmt::format("{:.2f}", c.ratio), c.conclusion});
    const std::vector<bool> left{true, false, false, false, true, false, true};
    const std::string table = o.format == "md" ? markdown(head, rows, left) : aligned(head, rows, left);
    text = header + "\n" + table + "\nratio = wall / the sequential wall of the same tasks\n" + checks;
  }
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
  if (!waiting_same || !computing_same)
    fmt::print(stderr, "pardemo: the ways computed different values: this is a bug\n");
  try {
    if (!o.output.empty()) write_file(o.output, text);
  } catch (const std::exception& e) {
    fmt::print(stderr, "pardemo: error: {}\n", e.what());
    return kExitRuntime;
  }
  return waiting_same && computing_same ? kExitOk : kExitVerification;
}

}  // namespace pardemo::cli
