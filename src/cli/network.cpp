// `pardemo pingpong` and `pardemo model`: what the network costs, and what that
// means for scaling on machines we do not have.
#include <fmt/format.h>

#include <boost/mpi/collectives/broadcast.hpp>
#include <boost/serialization/string.hpp>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>
#include <thread>

#include "backends/drivers.hpp"
#include "backends/mpi_util.hpp"
#include "backends/pingpong.hpp"
#include "cli/commands.hpp"
#include "cli/workloads.hpp"
#include "report/host.hpp"
#include "report/model.hpp"
#include "report/record.hpp"
#include "report/stats.hpp"
#include "report/summary.hpp"

namespace pardemo::cli {

namespace mpi = boost::mpi;
namespace model = report::model;
namespace pp = backends::pingpong;

namespace {

int need_two_ranks(const mpi::communicator& world, const std::string& what) {
  if (world.rank() == 0)
    fmt::print(stderr, "pardemo: error: {} needs at least 2 ranks (mpirun -np 2 pardemo ...), this job has {}\n", what,
               world.size());
  return kExitUsage;
}

// The workload's communication pattern, as its MPI driver does it, and which of
// the measured links carries it (raw MPI messages, or Boost.MPI archives).
struct Traffic {
  model::Pattern pattern;
  pp::Way way = pp::Way::serialized;
};

Traffic traffic(const core::ep::Workload& w, const core::ep::Result& /*r*/, int p) {
  return {model::ep_pattern(w.items(), p), pp::Way::serialized};
}
Traffic traffic(const core::primes::Workload& /*w*/, const core::primes::Result& /*r*/, int p) {
  return {model::primes_pattern(p), pp::Way::serialized};
}
Traffic traffic(const core::mandelbrot::Workload& w, const core::mandelbrot::Result& /*r*/, int p) {
  return {model::mandelbrot_pattern(w.params().width, w.params().height, p), pp::Way::raw};
}
Traffic traffic(const backends::stencil::Workload& w, const backends::stencil::Result& /*r*/, int /*p*/) {
  return {model::Halo{w.params().n, w.params().radius, w.params().iterations}, pp::Way::raw};
}
Traffic traffic(const backends::sort::Workload& w, const backends::sort::Result& /*r*/, int /*p*/) {
  return {model::SampleSort{w.params().n}, pp::Way::raw};
}
Traffic traffic(const backends::wordfreq::Workload& w, const backends::wordfreq::Result& r, int /*p*/) {
  // A merged table: each distinct word with its count, about 24 bytes a word.
  const double bytes = 24.0 * static_cast<double>(r.distinct);
  return w.flat_merge() ? Traffic{model::TreeMerge{bytes, 4}, pp::Way::raw}
                        : Traffic{model::TreeMerge{bytes, 1}, pp::Way::serialized};
}

template <class W>
int model_workload(const W& w, const Options& o, const mpi::communicator& world) {
  // The link: given, or measured between ranks 0 and 1 (both ways, side by side).
  pp::Table table;
  const bool given = o.alpha && o.beta;
  if (!given) {
    if (world.size() < 2) {
      if (world.rank() == 0)
        fmt::print(
            stderr,
            "pardemo: error: model needs --alpha and --beta, or at least 2 ranks to measure them by a ping-pong\n");
      return kExitUsage;
    }
    pp::Options po;
    po.max_bytes = std::size_t{1} << 22;
    po.iterations_small = 1000;
    po.warmup_small = 50;
    po.iterations_large = 50;
    po.warmup_large = 5;
    table = pp::run(world, po);
  }

  // The serial time, measured on rank 0 while the others wait.
  const backends::Plan serial_plan{1, o.split, o.chunk};
  std::vector<double> walls;
  std::optional<typename W::Result> result;
  bool verified = true;
  for (int i = 0; i < o.repeat; ++i) {
    auto out = backends::run(backends::Kind::serial, w, serial_plan, world);
    if (world.rank() == 0) {
      walls.push_back(out.wall);
      if (i == 0) verified = w.verify(*out.result).passed;
      result = std::move(out.result);
    }
  }

  // Measured points: the MPI backend at every asked rank count the job has.
  std::map<int, double> measured;
  for (const int p : o.model_ranks) {
    if (p < 2 || p > world.size()) continue;
    const bool takes_part = world.rank() < p;
    const mpi::communicator comm = world.split(takes_part ? 0 : 1);
    if (takes_part) {
      std::vector<double> mw;
      for (int i = 0; i < o.repeat; ++i) {
        auto out = backends::run(backends::Kind::mpi, w, backends::Plan{1, o.split, o.chunk}, comm);
        if (comm.rank() == 0) {
          mw.push_back(out.wall);
          verified = verified && w.verify(*out.result).passed;
        }
      }
      if (world.rank() == 0) measured[p] = report::spread(mw).median;
    }
    backends::sleepy_barrier(world);
  }

  int code = kExitOk;
  if (world.rank() == 0) {
    const double t1 = report::spread(walls).median;
    std::string out = fmt::format("pardemo model {}: {}\n", w.name(), [&] {
      std::string s;
      for (const auto& f : w.parameters())
        s += (s.empty() ? "" : " ") + f.name + "=" +
             std::visit([](const auto& v) { return fmt::format("{}", v); }, f.value);
      return s;
    }());
    const Traffic t = traffic(w, *result, 2);
    model::Link link;
    if (given) {
      link = {*o.alpha, *o.beta};
      out += fmt::format("Link given: alpha {:.3g} us, beta {:.4g} MB/s\n", link.alpha_s * 1e6,
                         link.beta_bytes_per_s / 1e6);
    } else {
      link = table.link(t.way);
      out += fmt::format("Link measured by a ping-pong between ranks 0 and 1 ({}): alpha {:.3g} us, beta {:.4g} MB/s\n",
                         pp::to_string(t.way), link.alpha_s * 1e6, link.beta_bytes_per_s / 1e6);
    }
    out += fmt::format("Serial time T1 = {:.4f} s (median of {}); pattern: {}\n\n", t1, walls.size(),
                       model::name(t.pattern));
    std::vector<std::vector<std::string>> rows;
    for (const int p : o.model_ranks) {
      const Traffic tp = traffic(w, *result, p);
      const model::Prediction pred = model::predict(tp.pattern, model::Params{t1, link}, p);
      std::string m = "-";
      std::string err = "-";
      if (p == 1) {
        m = fmt::format("{:.4f}", t1);
        err = fmt::format("{:+.1f}", 100 * model::relative_error(pred.time_s, t1));
      } else if (measured.count(p) != 0U) {
        m = fmt::format("{:.4f}", measured[p]);
        err = fmt::format("{:+.1f}", 100 * model::relative_error(pred.time_s, measured[p]));
      }
      rows.push_back({fmt::format("{}", p), fmt::format("{:.5f}", pred.time_s), fmt::format("{:.5f}", pred.compute_s),
                      fmt::format("{:.5f}", pred.comm_s), fmt::format("{:.2f}", pred.speedup),
                      fmt::format("{:.3f}", pred.efficiency), m, err});
    }
    out += report::render_table({"ranks", "predicted T (s)", "compute T1/p", "communicate", "speedup", "efficiency",
                                 "measured T (s)", "error %"},
                                rows);
    out += fmt::format(
        "\nThe model: T(p) = T1 / p + C(p), C(p) the {} on the critical path with T(m) = alpha + m / beta "
        "per message (see the README). Measured points are the mpi backend in this job.\n",
        model::name(t.pattern));
    const auto cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
    if (!measured.empty() && measured.rbegin()->first > cores)
      out += fmt::format(
          "Note: this host has {} cores; measured points with more ranks took turns on them, which the "
          "model (one core per rank) does not describe.\n",
          cores);
    if (!verified) out += "A RUN FAILED VERIFICATION.\n";
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
    code = verified ? kExitOk : kExitVerification;
  }
  mpi::broadcast(world, code, 0);
  return code;
}

}  // namespace

int pingpong(const Options& o, const mpi::communicator& world) {
  if (world.size() < 2) return need_two_ranks(world, "pingpong");
  pp::Options po;
  po.max_bytes = static_cast<std::size_t>(o.max_bytes);
  po.rounds = o.rounds;
  const pp::Table table = pp::run(world, po);
  int code = kExitOk;
  if (world.rank() == 0) {
    std::string out = fmt::format("pardemo pingpong: ranks 0 and 1 of {} on {}\n{}\n", world.size(),
                                  report::host_name(), backends::mpi_library_version());
    out += pp::format(table);
    std::fputs(out.c_str(), stdout);
    std::fflush(stdout);
    try {
      if (!o.json.empty()) report::append_line(o.json, pp::to_json(table).dump());
    } catch (const std::exception& e) {
      fmt::print(stderr, "pardemo: error: {}\n", e.what());
      code = kExitRuntime;
    }
    if (!table.all_intact()) {
      fmt::print(stderr, "pardemo: a message arrived damaged\n");
      code = kExitVerification;
    }
  }
  mpi::broadcast(world, code, 0);
  return code;
}

int model_scaling(const Options& o, const mpi::communicator& world) {
  return with_workload(o, [&](const auto& w) { return model_workload(w, o, world); });
}

}  // namespace pardemo::cli
