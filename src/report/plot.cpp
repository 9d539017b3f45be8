#include "report/plot.hpp"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

extern char** environ;

namespace pardemo::report::plot {

namespace fs = std::filesystem;

std::string file_stem(const std::string& text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0) {
      out += static_cast<char>(std::tolower(u));
    } else if (c == '.' || c == '-') {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.size() > 60) out.resize(60);
  return out.empty() ? "plot" : out;
}

void run_gnuplot(const std::string& script) {
  pid_t pid = 0;
  std::string program = "gnuplot";
  std::string arg = script;
  char* argv[] = {program.data(), arg.data(), nullptr};
  const int rc = ::posix_spawnp(&pid, "gnuplot", nullptr, nullptr, argv, environ);
  if (rc != 0) {
    throw std::runtime_error(rc == ENOENT ? "gnuplot is not installed (Debian: apt install gnuplot-nox)"
                                          : fmt::format("cannot start gnuplot: {}", std::strerror(rc)));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error(fmt::format("waiting for gnuplot: {}", std::strerror(errno)));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(fmt::format("gnuplot failed on {}", script));
}

namespace {

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

// A gnuplot double-quoted string: backslashes and quotes escaped, and a newline
// in `s` a line break in the picture.
std::string gp_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
  }
  return out + "\"";
}

// Every picture twice: PNG and SVG, each to a temporary name first.
std::string both_terminals(const std::string& body, const fs::path& image, int width, int height) {
  std::string out;
  for (const auto& [ext, term] :
       {std::pair{".png", fmt::format("pngcairo size {},{} font 'Sans,10'", width, height)},
        std::pair{".svg", fmt::format("svg size {},{} font 'Sans,11' background '#ffffff'", width, height)}}) {
    out += fmt::format("set terminal {}\nset output {}\n{}\nunset output\n", term,
                       gp_string(image.string() + ext + ".tmp"), body);
  }
  return out;
}

std::string group_title(const scaling::Group& g, const std::string& machine) {
  return fmt::format("{} {} scaling | {} | {}\n{}", g.workload, g.mode, machine,
                     g.date.empty() ? "date unknown" : g.date.substr(0, 10), g.size);
}

}  // namespace

std::vector<std::string> scaling_plots(const std::vector<scaling::Group>& groups, const std::string& dir,
                                       const std::string& machine) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!fs::is_directory(dir)) throw std::runtime_error(fmt::format("--plot: cannot create directory {}", dir));
  std::vector<std::string> written;
  for (const auto& g : groups) {
    // The first two parameters name the size well enough for a file name.
    std::string size = g.size;
    if (auto second = size.find(' '); second != std::string::npos)
      if (auto third = size.find(' ', second + 1); third != std::string::npos) size.resize(third);
    const std::string stem = file_stem(g.workload + "-" + g.mode + "-" + size);
    const fs::path base = fs::path(dir) / stem;
    const std::string title = group_title(g, machine);

    // Curves: one data block per backend (serial is the baseline, not a curve).
    std::map<std::string, std::vector<const scaling::Point*>> curves;
    int max_workers = 1;
    for (const auto& p : g.points) {
      max_workers = std::max(max_workers, p.workers);
      if (p.backend != "serial" && p.speedup) curves[p.backend].push_back(&p);
    }
    std::string data = "# workers speedup efficiency wall_median_s\n";
    std::vector<std::string> names;
    for (auto& [backend, points] : curves) {
      std::sort(points.begin(), points.end(), [](auto* a, auto* b) { return a->workers < b->workers; });
      data += "# " + backend + "\n";
      for (const auto* p : points)
        data += fmt::format("{} {:.6g} {:.6g} {:.6g}\n", p->workers, *p->speedup, *p->efficiency, p->wall.median);
      data += "\n\n";
      names.push_back(backend);
    }
    const fs::path dat = base.string() + ".dat";
    write_file(dat, data);

    std::string script = fmt::format("set encoding utf8\nset key top left box opaque\nset grid\nset xrange [0.5:{}]\n",
                                     max_workers + 0.5);
    auto curve_plot = [&](int column, const std::string& ideal, const std::string& ylabel, const std::string& what,
                          const std::string& yrange) {
      std::string body = fmt::format("set title {} noenhanced\nset xlabel 'workers'\nset ylabel {}\n{}\n",
                                     gp_string(fmt::format("{}: {}", what, title)), gp_string(ylabel), yrange);
      body += fmt::format("plot {} with lines dashtype 2 lc rgb '#777777' title 'ideal'", ideal);
      for (std::size_t i = 0; i < names.size(); ++i)
        body += fmt::format(", {} index {} using 1:{} with linespoints lw 2 pt 7 title {} noenhanced",
                            gp_string(dat.string()), i, column, gp_string(names[i]));
      return body;
    };
    if (names.empty()) {
      script += "set label 1 'no speedups: the records hold no baseline' at graph 0.5,0.5 center\n";
    }
    const std::string speed_label = g.mode == "weak" ? "scaled speedup (p T1 / Tp)" : "speedup (T serial / T)";
    std::string speed = curve_plot(2, "x", speed_label, g.mode == "weak" ? "scaled speedup" : "speedup",
                                   fmt::format("set yrange [0:{}]", max_workers + 0.5));
    std::string eff = curve_plot(3, "1", "efficiency", "efficiency", "set yrange [0:1.2]");
    if (names.empty()) {
      speed = fmt::format("set title {} noenhanced\nplot [0:1] x with lines title 'ideal'", gp_string(title));
      eff = speed;
    }
    script += both_terminals(speed, base.string() + "-speedup", 900, 560);
    script += both_terminals(eff, base.string() + "-efficiency", 900, 560);

    // Per-worker bars: compute / communicate / wait at each backend's largest count.
    std::string bars = "# worker compute_s comm_s wait_s\n";
    std::map<std::string, const scaling::Point*> widest;
    for (const auto& p : g.points)
      if (!p.worker_times.empty() && (widest.count(p.backend) == 0U || widest[p.backend]->workers < p.workers))
        widest[p.backend] = &p;
    std::size_t bar_count = 0;
    for (const auto& [backend, p] : widest) {
      for (const auto& w : p->worker_times) {
        const std::string who =
            p->threads_per_rank > 1 ? fmt::format("r{}.t{}", w.rank, w.thread) : fmt::format("r{}", w.rank);
        bars +=
            fmt::format("\"{} p={} {}\" {:.6g} {:.6g} {:.6g}\n", backend, p->workers, who, w.compute, w.comm, w.wait);
        ++bar_count;
      }
    }
    const fs::path wdat = base.string() + "-workers.dat";
    write_file(wdat, bars);
    std::string wbody = fmt::format(
        "set title {} noenhanced\nset style data histograms\nset style histogram rowstacked\nset style fill solid 0.85 "
        "border -1\nset boxwidth 0.75\nset ylabel 'seconds (median repeat)'\nset xtics rotate by -40 noenhanced\n"
        "set key outside right top\nunset xrange\nset yrange [0:*]\nset xlabel 'worker (backend, workers p, rank.thread)'\n",
        gp_string("who computed, talked and waited (median repeat): " + title));
    if (bar_count == 0) {
      wbody += "set label 1 'the records hold no per-worker times' at graph 0.5,0.5 center\nplot [0:1] 0 notitle";
    } else {
      wbody += fmt::format(
          "plot {0} using 2:xtic(1) title 'compute' lc rgb '#2b8cbe', '' using 3 title 'communicate' lc rgb '#f03b20', "
          "'' using 4 title 'wait' lc rgb '#bdbdbd'",
          gp_string(wdat.string()));
    }
    script +=
        both_terminals(wbody, base.string() + "-workers", std::max(960, 60 * static_cast<int>(bar_count) + 300), 560);

    // Timeline: when each of those workers computed, talked and waited.
    std::string spans[3];
    std::string ytics;
    int row = 0;
    double longest = 0;
    for (const auto& [backend, p] : widest) {
      for (const auto& w : p->worker_times) {
        const std::string who =
            p->threads_per_rank > 1 ? fmt::format("r{}.t{}", w.rank, w.thread) : fmt::format("r{}", w.rank);
        ytics += fmt::format("{}\"{} p={} {}\" {}", ytics.empty() ? "" : ", ", backend, p->workers, who, row);
        for (std::uint32_t i = 0; i < w.span_count; ++i) {
          const Span& sp = w.spans[i];
          spans[static_cast<std::size_t>(std::clamp(sp.phase, 0, 2))] +=
              fmt::format("{:.9g} {:.9g} {}\n", sp.start, sp.end, row);
          longest = std::max(longest, sp.end);
        }
        ++row;
      }
    }
    const fs::path tdat = base.string() + "-timeline.dat";
    write_file(tdat, "# start_s end_s row, blocks: compute, communicate, wait\n" + spans[0] + "\n\n" + spans[1] +
                         "\n\n" + spans[2]);
    std::string tbody = fmt::format(
        "set title {} noenhanced\nunset ylabel\nset xtics norotate\nunset xrange\nset xrange [0:{:.6g}]\nset yrange [-0.7:{}]\nset ytics ({}) noenhanced\n"
        "set xlabel 'seconds since the run started'\nset key outside right top\nset grid xtics\n",
        gp_string("timeline (median repeat): " + title), longest > 0 ? longest * 1.02 : 1.0, row - 0.3,
        ytics.empty() ? "\"-\" 0" : ytics);
    const char* colours[] = {"#2b8cbe", "#f03b20", "#bdbdbd"};
    const char* phase_names[] = {"compute", "communicate", "wait"};
    std::string plots;
    for (int k = 0; k < 3; ++k) {
      if (spans[static_cast<std::size_t>(k)].empty()) continue;
      plots += fmt::format(
          "{}{} index {} using (($1+$2)/2):3:(($2-$1)/2):(0.35) with boxxyerror fs solid 0.9 "
          "lc rgb '{}' title '{}'",
          plots.empty() ? "plot " : ", ", gp_string(tdat.string()), k, colours[k], phase_names[k]);
    }
    tbody += plots.empty() ? "set label 1 'the records hold no timeline' at graph 0.5,0.5 center\nplot [0:1] -1 notitle"
                           : plots;
    script += both_terminals(tbody, base.string() + "-timeline", 960, std::max(360, 28 * row + 160));

    const fs::path gp = base.string() + ".gp";
    write_file(gp, script);
    run_gnuplot(gp.string());
    for (const char* kind : {"-speedup", "-efficiency", "-workers", "-timeline"}) {
      for (const char* ext : {".png", ".svg"}) {
        const std::string image = base.string() + kind + ext;
        fs::rename(image + ".tmp", image, ec);
        if (ec) throw std::runtime_error(fmt::format("gnuplot did not write {}: {}", image, ec.message()));
        written.push_back(image);
      }
    }
  }
  return written;
}

}  // namespace pardemo::report::plot
