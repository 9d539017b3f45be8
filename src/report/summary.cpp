#include "report/summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "report/stats.hpp"

namespace pardemo::report {

std::string render_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size(), 0);
  for (std::size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size() && c < width.size(); ++c) width[c] = std::max(width[c], row[c].size());
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < width.size(); ++c) {
      const std::string& cell = c < cells.size() ? cells[c] : std::string();
      if (c > 0) out += "  ";
      out += c == 0 ? fmt::format("{:<{}}", cell, width[c]) : fmt::format("{:>{}}", cell, width[c]);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(header);
  for (const auto& row : rows) out += line(row);
  return out;
}

namespace {
std::string field_value(const core::Field& f) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, double>)
          return fmt::format("{:.15e}", v);
        else if constexpr (std::is_same_v<T, std::string>)
          return v;
        else
          return fmt::format("{}", v);
      },
      f.value);
}

std::string fields_line(const std::vector<core::Field>& fields) {
  std::string out;
  for (const auto& f : fields) out += fmt::format("{}{}={}", out.empty() ? "" : " ", f.name, field_value(f));
  return out;
}

const RunRecord* find_serial(const std::vector<RunRecord>& runs) {
  for (const auto& r : runs)
    if (r.backend == "serial") return &r;
  return nullptr;
}

std::string seconds(double s) { return fmt::format("{:.4f}", s); }
std::string min_avg_max(const Spread& s) { return fmt::format("{:.4f} / {:.4f} / {:.4f}", s.min, s.avg, s.max); }
}  // namespace

double speedup(const RunRecord& serial, const RunRecord& run) {
  const double t = spread(run.walls()).median;
  return t > 0 ? spread(serial.walls()).median / t : 0.0;
}

double efficiency(const RunRecord& serial, const RunRecord& run) {
  return speedup(serial, run) / static_cast<double>(run.workers());
}

std::string describe_job(const RunRecord& first, const JobInfo& job, int repeat) {
  const std::set<std::string> hosts(job.hosts.begin(), job.hosts.end());
  std::string host_list;
  for (const auto& h : hosts) host_list += (host_list.empty() ? "" : ", ") + h;
  std::string out = fmt::format("pardemo {} {}: {}\n", first.command, first.workload, fields_line(first.parameters));
  out += fmt::format("split {}{}, {} timed repeat{}{}, {} rank{} on {} host{} ({})\n", first.split,
                     first.split == "cyclic" ? fmt::format(" (chunk {})", first.chunk) : "", repeat,
                     repeat == 1 ? "" : "s", first.warmup > 0 ? fmt::format(" after {} warm-up", first.warmup) : "",
                     job.world_size, job.world_size == 1 ? "" : "s", hosts.size(), hosts.size() == 1 ? "" : "s",
                     host_list);
  out += fmt::format("pardemo {} ({}), {}\n", program_version(), git_revision(), job.mpi_library);
  return out;
}

std::string timing_table(const std::vector<RunRecord>& runs) {
  const RunRecord* serial = find_serial(runs);
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : runs) {
    const Spread w = spread(r.walls());
    rows.push_back({r.backend, fmt::format("{}", r.workers()), fmt::format("{} x {}", r.ranks, r.threads_per_rank),
                    seconds(w.median), fmt::format("[{}, {}]", seconds(w.min), seconds(w.max)),
                    w.median > 0 ? fmt::format("{:.1f}", r.operations / w.median / 1e6) : "-",
                    serial != nullptr ? fmt::format("{:.2f}", speedup(*serial, r)) : "-",
                    serial != nullptr ? fmt::format("{:.2f}", efficiency(*serial, r)) : "-",
                    r.verification.passed ? "yes" : "NO",
                    r.identical_to_serial ? (*r.identical_to_serial ? "yes" : "NO") : "-"});
  }
  return render_table({"backend", "workers", "ranks x threads", "wall median (s)", "[min, max]", "Mop/s", "speedup",
                       "efficiency", "verified", "same bits as serial"},
                      rows);
}

std::string worker_table(const std::vector<RunRecord>& runs) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : runs) {
    const Repeat& rep = r.median_repeat();
    const WorkerSummary s = summarize(rep.workers);
    rows.push_back({r.backend, fmt::format("{}", rep.workers.size()), min_avg_max(s.compute), min_avg_max(s.comm),
                    min_avg_max(s.wait), fmt::format("{:.3f}", s.imbalance), fmt::format("{:.4f}", rep.combine)});
  }
  return "Per-worker seconds in the median repeat (min / avg / max); imbalance = max / avg compute\n" +
         render_table({"backend", "workers", "compute", "communicate", "wait", "imbalance", "combine"}, rows);
}

std::string halo_table(const std::vector<RunRecord>& runs) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : runs) {
    if (r.repeats.empty() || r.halo.size() != r.repeats.size()) continue;
    for (const auto& h : r.halo[static_cast<std::size_t>(&r.median_repeat() - r.repeats.data())])
      rows.push_back({r.backend, fmt::format("{}", h.rank), fmt::format("{:.4f}", h.blocking),
                      fmt::format("{:.4f}", h.exposed), fmt::format("{:.4f}", h.hidden()),
                      h.blocking > 0 ? fmt::format("{:.0f}%", 100 * h.hidden() / h.blocking) : std::string("-")});
  }
  if (rows.empty()) return {};
  return "Halo exchange per rank in the median repeat: the overlap's exposed time against the same grid's blocking\n"
         "exchange, run right after it on the same ranks; hidden = blocking - exposed (0 when the overlap exposed more)\n" +
         render_table({"backend", "rank", "blocking comm (s)", "exposed comm (s)", "hidden (s)", "hidden %"}, rows);
}

std::string iteration_rates(const std::vector<RunRecord>& runs) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : runs) {
    if (r.repeats.empty() || r.iterations_s.size() != r.repeats.size()) continue;
    const Repeat& rep = r.median_repeat();
    const double it = r.iterations_s[static_cast<std::size_t>(&rep - r.repeats.data())];
    if (it <= 0 || rep.wall <= 0) continue;
    rows.push_back({r.backend, fmt::format("{:.4f}", it), fmt::format("{:.4f}", rep.wall),
                    fmt::format("{:.1f}", r.operations / it / 1e6),
                    fmt::format("{:.1f}", r.operations / rep.wall / 1e6)});
  }
  if (rows.empty()) return {};
  return "Rate in the median repeat over the iterations alone, as PRK reports it (set-up and norm left out),\n"
         "and over the whole wall (the Mop/s above)\n" +
         render_table({"backend", "iterations (s)", "wall (s)", "MFlop/s iterations", "MFlop/s wall"}, rows);
}

std::string verification_lines(const std::vector<RunRecord>& runs) {
  std::string out;
  if (runs.empty()) return out;
  const RunRecord& first = runs.front();
  out += fmt::format("Result: {}\n", fields_line(first.result));
  for (const auto& r : runs) {
    if (!core::identical(r.result, first.result))
      out += fmt::format("Result ({}): {}\n", r.backend, fields_line(r.result));
  }
  const bool all = std::all_of(runs.begin(), runs.end(), [](const RunRecord& r) {
    return r.verification.passed && r.identical_to_serial.value_or(true);
  });
  out += fmt::format("Checked against {}: {}\n", first.verification.reference, first.verification.detail);
  for (const auto& r : runs) {
    if (r.verification.detail != first.verification.detail)
      out += fmt::format("Checked ({}): {}\n", r.backend, r.verification.detail);
  }
  out += fmt::format("Verification = {}\n", all ? "SUCCESSFUL" : "UNSUCCESSFUL");
  return out;
}

}  // namespace pardemo::report
