#include "report/scaling.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <set>
#include <tuple>

#include "report/record.hpp"
#include "report/summary.hpp"

namespace pardemo::report::scaling {

using nlohmann::json;

std::string check_record(const json& r) {
  if (!r.is_object()) return "not a JSON object";
  if (!r.contains("schema")) return "no \"schema\" field: not a pardemo record";
  if (!r["schema"].is_string() || r["schema"] != kSchema)
    return fmt::format("unknown schema {} (this pardemo reads {})", r["schema"].dump(), kSchema);
  for (const char* key : {"workload", "backend"})
    if (!r.contains(key) || !r[key].is_string()) return fmt::format("missing or invalid field \"{}\"", key);
  for (const char* key : {"workers", "ranks", "threads_per_rank"})
    if (!r.contains(key) || !r[key].is_number_integer() || r[key].get<std::int64_t>() < 1 ||
        r[key].get<std::int64_t>() > std::numeric_limits<int>::max())
      return fmt::format("missing or invalid field \"{}\"", key);
  if (r["workers"].get<std::int64_t>() != r["ranks"].get<std::int64_t>() * r["threads_per_rank"].get<std::int64_t>())
    return R"("workers" is not "ranks" x "threads_per_rank")";
  if (!r.contains("parameters") || !r["parameters"].is_object()) return "missing or invalid field \"parameters\"";
  if (!r.contains("verified") || !r["verified"].is_boolean()) return "missing or invalid field \"verified\"";
  if (!r.contains("repeats") || !r["repeats"].is_array() || r["repeats"].empty())
    return "missing or empty field \"repeats\"";
  for (const auto& rep : r["repeats"]) {
    if (!rep.is_object() || !rep.contains("wall_s") || !rep["wall_s"].is_number() || rep["wall_s"].get<double>() < 0)
      return "a repeat without a valid \"wall_s\"";
    if (rep.contains("workers") && !rep["workers"].is_array()) return "a repeat with an invalid \"workers\"";
    for (const auto& w : rep.value("workers", json::array())) {
      if (!w.is_object()) return "a repeat with an invalid \"workers\"";
      for (const char* key : {"rank", "thread"})
        if (w.contains(key) &&
            !(w[key].is_number_unsigned() && w[key].get<std::uint64_t>() <= std::numeric_limits<int>::max()))
          return fmt::format("a worker with an invalid \"{}\"", key);
      if (w.contains("items") && !w["items"].is_number_unsigned()) return "a worker with an invalid \"items\"";
      for (const char* key : {"compute_s", "comm_s", "wait_s"})
        if (w.contains(key) && !w[key].is_number()) return fmt::format("a worker with an invalid \"{}\"", key);
    }
  }
  // Optional fields: absent, or of the type the summary reads.
  for (const char* key : {"split", "started_utc"})
    if (r.contains(key) && !r[key].is_string()) return fmt::format("invalid field \"{}\"", key);
  if (r.contains("mode") && r["mode"] != "strong" && r["mode"] != "weak") return "invalid field \"mode\"";
  if (r.contains("scale") && !r["scale"].is_number_integer()) return "invalid field \"scale\"";
  if (r.contains("base_parameters") && !r["base_parameters"].is_object()) return "invalid field \"base_parameters\"";
  if (r.contains("identical_to_serial") && !r["identical_to_serial"].is_boolean())
    return "invalid field \"identical_to_serial\"";
  return {};
}

namespace {
bool read_file(const std::string& path, std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  char buf[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  const bool ok = std::ferror(f) == 0;
  std::fclose(f);
  return ok;
}
}  // namespace

Loaded load(const std::vector<std::string>& files) {
  Loaded out;
  for (const auto& file : files) {
    std::string text;
    if (!read_file(file, text)) {
      out.problems.push_back({file, fmt::format("cannot be read: {}", std::strerror(errno))});
      continue;
    }
    std::size_t pos = 0;
    std::size_t line_no = 0;
    while (pos < text.size()) {
      const std::size_t end = text.find('\n', pos);
      const bool complete = end != std::string::npos;
      const std::string line = text.substr(pos, complete ? end - pos : std::string::npos);
      pos = complete ? end + 1 : text.size();
      ++line_no;
      const std::string where = fmt::format("{}:{}", file, line_no);
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      json j = json::parse(line, nullptr, false);
      if (j.is_discarded()) {
        out.problems.push_back({where, complete ? "malformed JSON" : "truncated record (the file ends mid-line)"});
        continue;
      }
      if (std::string why = check_record(j); !why.empty()) {
        out.problems.push_back({where, why});
        continue;
      }
      out.records.push_back(std::move(j));
      out.origins.push_back(where);
    }
  }
  return out;
}

namespace {

std::string parameters_text(const json& params) {
  std::string s;
  for (const auto& [k, v] : params.items()) {
    s += (s.empty() ? "" : " ") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return s.empty() ? "-" : s;
}

std::string mode_of(const json& r) { return r.value("mode", std::string("strong")); }

// Weak records are grouped by their size at one worker.
std::string size_of(const json& r) {
  if (mode_of(r) == "weak" && r.contains("base_parameters")) return parameters_text(r["base_parameters"]);
  return parameters_text(r["parameters"]);
}

std::string backend_of(const json& r) {
  std::string b = r["backend"].get<std::string>();
  const std::string split = r.value("split", std::string("block"));
  if (b != "serial" && split != "block") b += "/" + split;
  // Threads on fewer CPUs than threads took turns: a different experiment (--cpus).
  if (r.contains("cpus_per_rank") && r["cpus_per_rank"].is_array() && !r["cpus_per_rank"].empty() &&
      r["cpus_per_rank"][0].is_number_integer()) {
    const int cpus = r["cpus_per_rank"][0].get<int>();
    if (cpus < r["threads_per_rank"].get<int>()) b += fmt::format(" on {} cpu{}", cpus, cpus == 1 ? "" : "s");
  }
  return b;
}

std::vector<WorkerTimes> worker_times(const json& repeat) {
  std::vector<WorkerTimes> out;
  if (!repeat.contains("workers")) return out;
  for (const auto& w : repeat["workers"]) {
    WorkerTimes t;
    t.rank = w.value("rank", 0);
    t.thread = w.value("thread", 0);
    t.items = w.value("items", std::uint64_t{0});
    t.compute = w.value("compute_s", 0.0);
    t.comm = w.value("comm_s", 0.0);
    t.wait = w.value("wait_s", 0.0);
    if (w.contains("spans") && w["spans"].is_array()) {
      for (const auto& sp : w["spans"]) {
        if (!sp.is_array() || sp.size() != 3 || !sp[0].is_number() || !sp[1].is_number() || !sp[2].is_string())
          continue;
        if (t.span_count == WorkerTimes::kMaxSpans) break;
        const std::string phase = sp[2].get<std::string>();
        t.spans[t.span_count++] = Span{sp[0].get<double>(), sp[1].get<double>(),
                                       phase == "comm"   ? Span::comm
                                       : phase == "wait" ? Span::wait
                                                         : Span::compute,
                                       0};
      }
    }
    out.push_back(t);
  }
  return out;
}

const json& median_repeat(const json& r) {
  std::vector<double> walls;
  for (const auto& rep : r["repeats"]) walls.push_back(rep["wall_s"].get<double>());
  return r["repeats"][median_index(walls)];
}

std::string fixed(std::optional<double> v, int digits) {
  if (!v || !std::isfinite(*v)) return "-";
  return fmt::format("{:.{}f}", *v, digits);
}

}  // namespace

std::vector<Group> summarize(const std::vector<json>& records, std::vector<std::string>& notes) {
  // Group key: workload, mode, size. Point key within a group: backend, ranks, threads.
  using PointKey = std::tuple<int, std::string, int, int>;  // (serial first, backend, ranks, threads)
  std::map<std::tuple<std::string, std::string, std::string>, std::map<PointKey, std::vector<const json*>>> grouped;
  std::map<std::tuple<std::string, std::string, std::string>, std::map<std::string, std::vector<const json*>>>
      weak_serial;
  for (const auto& r : records) {
    const auto gkey = std::make_tuple(r["workload"].get<std::string>(), mode_of(r), size_of(r));
    const std::string backend = backend_of(r);
    if (mode_of(r) == "weak" && r.value("scale", 1) != 1 && backend == "serial") continue;  // not a baseline
    grouped[gkey][{backend == "serial" ? 0 : 1, backend, r["ranks"].get<int>(), r["threads_per_rank"].get<int>()}]
        .push_back(&r);
  }

  std::vector<Group> groups;
  std::map<std::pair<std::string, std::string>, int> sizes_per_workload;
  for (const auto& [gkey, points] : grouped) {
    Group g;
    std::tie(g.workload, g.mode, g.size) = gkey;
    ++sizes_per_workload[{g.workload, g.mode}];
    std::set<std::string> hosts;
    for (const auto& [pkey, recs] : points) {
      Point p;
      p.backend = std::get<1>(pkey);
      p.ranks = std::get<2>(pkey);
      p.threads_per_rank = std::get<3>(pkey);
      p.workers = p.ranks * p.threads_per_rank;
      p.records = static_cast<int>(recs.size());
      std::vector<double> walls;
      for (const json* r : recs) {
        for (const auto& rep : (*r)["repeats"]) walls.push_back(rep["wall_s"].get<double>());
        p.verified = p.verified && (*r)["verified"].get<bool>() && r->value("identical_to_serial", true);
        if (r->contains("hosts") && (*r)["hosts"].is_array())
          for (const auto& h : (*r)["hosts"])
            if (h.is_string()) hosts.insert(h.get<std::string>());
        const std::string started = r->value("started_utc", std::string());
        if (!started.empty() && (g.date.empty() || started < g.date)) g.date = started;
        ++g.record_count;
      }
      p.wall = spread(walls);
      p.worker_times = worker_times(median_repeat(*recs.front()));
      if (!p.worker_times.empty()) {
        const WorkerSummary ws = report::summarize(p.worker_times);
        p.imbalance = ws.imbalance;
        double compute = 0, comm = 0, wait = 0;
        for (const auto& w : p.worker_times) {
          compute += w.compute;
          comm += w.comm;
          wait += w.wait;
        }
        const double total = compute + comm + wait;
        if (total > 0) {
          p.comm_share = comm / total;
          p.wait_share = wait / total;
        }
      }
      g.points.push_back(std::move(p));
    }
    g.hosts.assign(hosts.begin(), hosts.end());

    // The baseline: the serial run; failing that, each backend's own one-worker run.
    for (const auto& p : g.points)
      if (p.backend == "serial") {
        g.baseline = p.wall.median;
        g.baseline_from = "serial";
      }
    std::map<std::string, double> own_base;
    if (!g.baseline) {
      for (const auto& p : g.points)
        if (p.workers == 1) own_base[p.backend] = p.wall.median;
      notes.push_back(fmt::format("{} ({} scaling, {}): no serial baseline among the records; {}", g.workload, g.mode,
                                  g.size,
                                  own_base.empty() ? "speedups cannot be computed"
                                                   : "speedups are relative to each backend's own run at 1 worker"));
    }
    std::map<std::string, std::pair<std::vector<int>, std::vector<double>>> for_fit;
    for (auto& p : g.points) {
      std::optional<double> base = g.baseline;
      if (!base && own_base.count(p.backend) != 0U) base = own_base[p.backend];
      if (!base || p.wall.median <= 0) continue;
      if (g.mode == "weak") {
        p.efficiency = *base / p.wall.median;
        p.speedup = p.workers * *p.efficiency;
      } else {
        p.speedup = *base / p.wall.median;
        p.efficiency = *p.speedup / p.workers;
        if (p.workers > 1) p.karp_flatt = karp_flatt(*p.speedup, p.workers);
      }
      if (p.backend != "serial") {
        for_fit[p.backend].first.push_back(p.workers);
        for_fit[p.backend].second.push_back(*p.speedup);
      }
    }
    for (const auto& [backend, data] : for_fit) {
      const auto n =
          static_cast<std::size_t>(std::count_if(data.first.begin(), data.first.end(), [](int w) { return w > 1; }));
      if (n == 0) continue;
      const double f = g.mode == "weak" ? gustafson_fit(data.first, data.second) : amdahl_fit(data.first, data.second);
      g.fits.push_back({backend, f, n});
    }
    groups.push_back(std::move(g));
  }
  for (const auto& [key, count] : sizes_per_workload)
    if (count > 1)
      notes.push_back(fmt::format("{} ({} scaling): records of {} different sizes; each size is summarised on its own",
                                  key.first, key.second, count));
  return groups;
}

namespace {

std::string title(const Group& g) {
  std::string hosts;
  for (const auto& h : g.hosts) hosts += (hosts.empty() ? "" : ", ") + h;
  return fmt::format("{}, {} scaling, {}; on {} host{} ({}){}; {} record{}", g.workload, g.mode, g.size, g.hosts.size(),
                     g.hosts.size() == 1 ? "" : "s", hosts.empty() ? "unknown" : hosts,
                     g.date.empty() ? "" : ", " + g.date.substr(0, 10), g.record_count, g.record_count == 1 ? "" : "s");
}

std::vector<std::string> header(const Group& g) {
  return {"backend",
          "workers",
          "ranks x threads",
          "wall median (s)",
          "min",
          "max",
          g.mode == "weak" ? "scaled speedup" : "speedup",
          "efficiency",
          "Karp-Flatt",
          "imbalance",
          "comm %",
          "wait %",
          "verified",
          "runs"};
}

std::vector<std::string> row(const Point& p) {
  return {p.backend,
          fmt::format("{}", p.workers),
          fmt::format("{} x {}", p.ranks, p.threads_per_rank),
          fmt::format("{:.4f}", p.wall.median),
          fmt::format("{:.4f}", p.wall.min),
          fmt::format("{:.4f}", p.wall.max),
          fixed(p.speedup, 2),
          fixed(p.efficiency, 3),
          fixed(p.karp_flatt, 3),
          fmt::format("{:.2f}", p.imbalance),
          fmt::format("{:.1f}", 100 * p.comm_share),
          fmt::format("{:.1f}", 100 * p.wait_share),
          p.verified ? "yes" : "NO",
          fmt::format("{}", p.records)};
}

std::string fit_lines(const Group& g) {
  std::string out;
  for (const auto& f : g.fits) {
    if (!std::isfinite(f.serial_fraction)) continue;
    if (g.mode == "weak") {
      out += fmt::format(
          "Gustafson fit ({}, {} point{}): serial fraction {:.4f}; scaled speedup at 1024 workers would be {:.0f}\n",
          f.backend, f.points, f.points == 1 ? "" : "s", f.serial_fraction, gustafson_speedup(f.serial_fraction, 1024));
    } else {
      out += fmt::format("Amdahl fit ({}, {} point{}): serial fraction {:.4f}; speedup can never exceed {}\n",
                         f.backend, f.points, f.points == 1 ? "" : "s", f.serial_fraction,
                         f.serial_fraction > 0 ? fmt::format("{:.3g}", 1.0 / f.serial_fraction) : "the worker count");
    }
  }
  return out;
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

}  // namespace

std::string render(const std::vector<Group>& groups, const std::string& format) {
  std::string out;
  if (format == "csv") {
    out =
        "workload,mode,size,backend,workers,ranks,threads_per_rank,wall_median_s,wall_min_s,wall_max_s,speedup,"
        "efficiency,karp_flatt,imbalance,comm_share,wait_share,verified,records\n";
    for (const auto& g : groups)
      for (const auto& p : g.points)
        out += fmt::format("{},{},{},{},{},{},{},{:.6f},{:.6f},{:.6f},{},{},{},{:.4f},{:.4f},{:.4f},{},{}\n",
                           csv_cell(g.workload), g.mode, csv_cell(g.size), p.backend, p.workers, p.ranks,
                           p.threads_per_rank, p.wall.median, p.wall.min, p.wall.max, fixed(p.speedup, 4),
                           fixed(p.efficiency, 4), fixed(p.karp_flatt, 4), p.imbalance, p.comm_share, p.wait_share,
                           p.verified ? "true" : "false", p.records);
    return out;
  }
  if (format == "json") {
    auto num = [](std::optional<double> v) { return v && std::isfinite(*v) ? json(*v) : json(nullptr); };
    for (const auto& g : groups)
      for (const auto& p : g.points)
        out += json{{"schema", "pardemo.scaling/1"},
                    {"workload", g.workload},
                    {"mode", g.mode},
                    {"size", g.size},
                    {"backend", p.backend},
                    {"workers", p.workers},
                    {"ranks", p.ranks},
                    {"threads_per_rank", p.threads_per_rank},
                    {"wall_s", {{"median", p.wall.median}, {"min", p.wall.min}, {"max", p.wall.max}}},
                    {"speedup", num(p.speedup)},
                    {"efficiency", num(p.efficiency)},
                    {"karp_flatt", num(p.karp_flatt)},
                    {"imbalance", p.imbalance},
                    {"comm_share", p.comm_share},
                    {"wait_share", p.wait_share},
                    {"verified", p.verified},
                    {"records", p.records},
                    {"hosts", g.hosts}}
                   .dump() +
               "\n";
    return out;
  }
  for (const auto& g : groups) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : g.points) rows.push_back(row(p));
    if (format == "md") {
      out += "### " + title(g) + "\n\n";
      const auto h = header(g);
      out += "|";
      for (const auto& c : h) out += " " + c + " |";
      out += "\n|";
      for (std::size_t i = 0; i < h.size(); ++i) out += i == 0 ? " --- |" : " ---: |";
      out += "\n";
      for (const auto& r : rows) {
        out += "|";
        for (const auto& c : r) out += " " + c + " |";
        out += "\n";
      }
      const std::string fits = fit_lines(g);
      if (!fits.empty()) out += "\n" + fits;
      out += "\n";
    } else {
      out += title(g) + "\n" + render_table(header(g), rows) + fit_lines(g) + "\n";
    }
  }
  return out;
}

}  // namespace pardemo::report::scaling
