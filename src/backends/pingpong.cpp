#include "backends/pingpong.hpp"

#include <fmt/format.h>
#include <mpi.h>

#include <algorithm>
#include <boost/mpi/communicator.hpp>
#include <boost/serialization/vector.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "backends/mpi_util.hpp"
#include "report/stats.hpp"

namespace pardemo::backends::pingpong {
namespace {

constexpr int kTag = 4301;
constexpr int kVerdictTag = 4302;
constexpr unsigned char kAnswerMask = 0x5A;

// The serialized way's message: a struct with a vector member is no MPI
// datatype, so Boost.MPI sends it through a packed archive.
struct Payload {
  std::vector<char> bytes;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    // An archive operation, not a reference declaration: keep the spaces.
    // clang-format off
    ar & bytes;
    // clang-format on
  }
};

std::size_t index(Way w) { return static_cast<std::size_t>(w); }

// Byte i of the check message for (size, way, round): a mix of all four, so a
// shifted, truncated or stale buffer does not pass.
char pattern_byte(std::size_t i, std::size_t size, Way way, int round) {
  constexpr std::uint64_t k1 = 0x9E3779B97F4A7C15, k2 = 0xC2B2AE3D27D4EB4F, k3 = 0x165667B19E3779F9,
                          k4 = 0xBF58476D1CE4E5B9;
  std::uint64_t x = (std::uint64_t{i} + 1) * k1;
  x ^= (std::uint64_t{size} + 1) * k2;
  x ^= (std::uint64_t{index(way)} + 1) * k3 + static_cast<std::uint64_t>(round);
  x ^= x >> 29;
  x *= k4;
  x ^= x >> 32;
  return static_cast<char>(x & 0xFF);
}

char masked(char c) { return static_cast<char>(static_cast<unsigned char>(c) ^ kAnswerMask); }

void fill_pattern(char* data, std::size_t size, Way way, int round) {
  for (std::size_t i = 0; i < size; ++i) data[i] = pattern_byte(i, size, way, round);
}

bool has_pattern(const char* data, std::size_t size, Way way, int round, bool answered) {
  for (std::size_t i = 0; i < size; ++i) {
    const char want = pattern_byte(i, size, way, round);
    if (data[i] != (answered ? masked(want) : want)) return false;
  }
  return true;
}

int as_count(std::size_t n) { return static_cast<int>(n); }  // validate() keeps n <= 1 GiB

// One measurement of one way at one size between ranks 0 and 1 of `pair`:
// `warmup` untimed round trips (the first one checked), then `iterations`
// timed. Each rank sends from its own `out` and receives into its own `in`, as
// osu_latency does; rank 1 writes its answer into `out` once, in the checked
// round trip. Returns the one-way seconds on rank 0 (0 on rank 1) and whether
// this rank's check passed.
struct Measured {
  double one_way_s = 0;
  bool intact = true;
};

// The raw and contiguous ways share the buffers and the loop; they differ in
// the calls only. `Send`/`Recv` move n bytes of a buffer to/from `peer`.
template <class Send, class Recv>
Measured measure_bytes(int rank, std::size_t n, Way way, int round, int warmup, int iterations, char* out, char* in,
                       Send&& send, Recv&& recv) {
  Measured m;
  const int peer = 1 - rank;
  if (rank == 0) {
    fill_pattern(out, n, way, round);
    send(out, n, peer);
    recv(in, n, peer);
    m.intact = has_pattern(in, n, way, round, true);
    for (int i = 1; i < warmup; ++i) {
      send(out, n, peer);
      recv(in, n, peer);
    }
    const double start = MPI_Wtime();
    for (int i = 0; i < iterations; ++i) {
      send(out, n, peer);
      recv(in, n, peer);
    }
    m.one_way_s = (MPI_Wtime() - start) / (2.0 * iterations);
  } else {
    recv(in, n, peer);
    m.intact = has_pattern(in, n, way, round, false);
    for (std::size_t i = 0; i < n; ++i) out[i] = masked(in[i]);
    send(out, n, peer);
    for (int i = 1; i < warmup + iterations; ++i) {
      recv(in, n, peer);
      send(out, n, peer);
    }
  }
  return m;
}

Measured measure_serialized(const boost::mpi::communicator& pair, std::size_t n, int round, int warmup, int iterations,
                            Payload& out, Payload& in) {
  Measured m;
  const int rank = pair.rank();
  const int peer = 1 - rank;
  const Way way = Way::serialized;
  if (rank == 0) {
    out.bytes.resize(n);
    fill_pattern(out.bytes.data(), n, way, round);
    pair.send(peer, kTag, out);
    pair.recv(peer, kTag, in);
    m.intact = in.bytes.size() == n && has_pattern(in.bytes.data(), n, way, round, true);
    for (int i = 1; i < warmup; ++i) {
      pair.send(peer, kTag, out);
      pair.recv(peer, kTag, in);
    }
    const double start = MPI_Wtime();
    for (int i = 0; i < iterations; ++i) {
      pair.send(peer, kTag, out);
      pair.recv(peer, kTag, in);
    }
    m.one_way_s = (MPI_Wtime() - start) / (2.0 * iterations);
  } else {
    pair.recv(peer, kTag, in);
    m.intact = in.bytes.size() == n && has_pattern(in.bytes.data(), n, way, round, false);
    out.bytes.resize(in.bytes.size());
    std::transform(in.bytes.begin(), in.bytes.end(), out.bytes.begin(), masked);
    pair.send(peer, kTag, out);
    for (int i = 1; i < warmup + iterations; ++i) {
      pair.recv(peer, kTag, in);
      pair.send(peer, kTag, out);
    }
  }
  return m;
}

// Every (size, way, round) on ranks 0 and 1 of `pair`. Rank 0 gets the table.
Table measure(const boost::mpi::communicator& pair, const Options& o) {
  const int rank = pair.rank();
  const MPI_Comm raw_comm = pair;
  const auto sizes = message_sizes(o.max_bytes);
  const std::size_t capacity = std::max<std::size_t>(o.max_bytes, 1);
  std::vector<char> out(capacity), in(capacity);  // touched here, not in the first timed loop
  Payload p_out, p_in;
  p_out.bytes.reserve(capacity);
  p_in.bytes.reserve(capacity);

  auto raw_send = [raw_comm](const char* d, std::size_t n, int peer) {
    MPI_Send(d, as_count(n), MPI_BYTE, peer, kTag, raw_comm);
  };
  auto raw_recv = [raw_comm](char* d, std::size_t n, int peer) {
    MPI_Recv(d, as_count(n), MPI_BYTE, peer, kTag, raw_comm, MPI_STATUS_IGNORE);
  };
  auto boost_send = [&pair](const char* d, std::size_t n, int peer) { pair.send(peer, kTag, d, as_count(n)); };
  auto boost_recv = [&pair](char* d, std::size_t n, int peer) { pair.recv(peer, kTag, d, as_count(n)); };

  Table t;
  t.options = o;
  std::vector<char> verdicts;  // this rank's checks, one per (size, way, round), in order
  for (std::size_t s = 0; s < sizes.size(); ++s) {
    const std::size_t n = sizes[s];
    const bool large = n > o.large_from;
    const int iterations = large ? o.iterations_large : o.iterations_small;
    const int warmup = large ? o.warmup_large : o.warmup_small;
    std::array<std::vector<double>, kWays> seconds;
    Row row;
    row.bytes = n;
    row.iterations = iterations;
    row.intact.fill(true);
    for (int round = 0; round < o.rounds; ++round) {
      for (std::size_t k = 0; k < kWays; ++k) {
        const Way way = kAllWays[(k + s + static_cast<std::size_t>(round)) % kWays];
        pair.barrier();
        Measured m;
        switch (way) {
          case Way::raw:
            m = measure_bytes(rank, n, way, round, warmup, iterations, out.data(), in.data(), raw_send, raw_recv);
            break;
          case Way::contiguous:
            m = measure_bytes(rank, n, way, round, warmup, iterations, out.data(), in.data(), boost_send, boost_recv);
            break;
          case Way::serialized: m = measure_serialized(pair, n, round, warmup, iterations, p_out, p_in); break;
        }
        seconds[index(way)].push_back(m.one_way_s);
        verdicts.push_back(m.intact ? 1 : 0);
        row.intact[index(way)] = row.intact[index(way)] && m.intact;
      }
    }
    for (Way w : kAllWays) {
      const double median_s = report::spread(seconds[index(w)]).median;
      row.latency_us[index(w)] = median_s * 1e6;
      row.bandwidth_MBps[index(w)] = median_s > 0 ? static_cast<double>(n) / (median_s * 1e6) : 0.0;
    }
    t.rows.push_back(row);
  }

  // Rank 1's checks to rank 0, in the same order as rank 0's.
  if (rank == 1) {
    MPI_Send(verdicts.data(), as_count(verdicts.size()), MPI_CHAR, 0, kVerdictTag, raw_comm);
    return Table{};
  }
  std::vector<char> theirs(verdicts.size());
  MPI_Recv(theirs.data(), as_count(theirs.size()), MPI_CHAR, 1, kVerdictTag, raw_comm, MPI_STATUS_IGNORE);
  std::size_t v = 0;
  for (std::size_t s = 0; s < t.rows.size(); ++s)
    for (int round = 0; round < o.rounds; ++round)
      for (std::size_t k = 0; k < kWays; ++k, ++v) {
        const Way way = kAllWays[(k + s + static_cast<std::size_t>(round)) % kWays];
        if (theirs[v] == 0) t.rows[s].intact[index(way)] = false;
      }

  for (Way w : kAllWays) {
    Fit& f = t.fits[index(w)];
    if (t.rows.size() < 2) {
      f = {std::nan(""), std::nan(""), std::nan("")};
      continue;
    }
    std::vector<double> m, secs;
    for (const Row& r : t.rows) {
      m.push_back(static_cast<double>(r.bytes));
      secs.push_back(r.latency_us[index(w)] * 1e-6);
    }
    try {
      const auto lf = report::model::fit_latency_bandwidth(m, secs, report::model::Weighting::relative);
      f = {lf.alpha_s * 1e6, lf.beta_bytes_per_s / 1e6, lf.r2};
    } catch (const std::invalid_argument&) {  // a time of 0: a clock too coarse for the iterations
      f = {std::nan(""), std::nan(""), std::nan("")};
    }
  }
  return t;
}

std::string number_or_inf(double v, int decimals) {
  if (std::isinf(v)) return "inf";
  return fmt::format("{:.{}f}", v, decimals);
}

nlohmann::json finite_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

std::string_view to_string(Way w) {
  switch (w) {
    case Way::raw: return "raw";
    case Way::contiguous: return "boost contiguous";
    case Way::serialized: return "boost serialized";
  }
  return "?";
}

void validate(const Options& o) {
  const auto bad = [](const std::string& what) { throw std::invalid_argument("pingpong: " + what); };
  if (o.iterations_small < 1 || o.iterations_large < 1) bad("iterations must be at least 1");
  if (o.warmup_small < 1 || o.warmup_large < 1) bad("warm-up iterations must be at least 1 (the first one is checked)");
  if (o.rounds < 1) bad("rounds must be at least 1");
  if (o.max_bytes > (std::size_t{1} << 30)) bad("messages are limited to 1 GiB, got " + std::to_string(o.max_bytes));
}

std::vector<std::size_t> message_sizes(std::size_t max_bytes) {
  std::vector<std::size_t> sizes{0};
  for (std::size_t m = 1; m <= max_bytes; m *= 2) sizes.push_back(m);
  return sizes;
}

bool Table::all_intact() const {
  return std::all_of(rows.begin(), rows.end(), [](const Row& r) {
    return std::all_of(r.intact.begin(), r.intact.end(), [](bool b) { return b; });
  });
}

const Row* Table::find(std::size_t bytes) const {
  const auto it = std::find_if(rows.begin(), rows.end(), [bytes](const Row& r) { return r.bytes == bytes; });
  return it == rows.end() ? nullptr : &*it;
}

report::model::Link Table::link(Way way) const {
  const Fit& f = fits[index(way)];
  return {f.alpha_us * 1e-6, f.beta_MBps * 1e6};
}

Table run(const boost::mpi::communicator& comm, const Options& options) {
  validate(options);
  if (comm.size() < 2)
    throw std::invalid_argument("pingpong: needs at least 2 ranks, got " + std::to_string(comm.size()));
  const bool in_pair = comm.rank() < 2;
  const boost::mpi::communicator pair = comm.split(in_pair ? 0 : 1);
  Table t;
  if (in_pair) t = measure(pair, options);
  t.options = options;
  t.world_size = comm.size();
  sleepy_barrier(comm);
  return t;
}

std::string format(const Table& t) {
  std::string s = fmt::format(
      "# pingpong: ranks 0 and 1 of {}; one-way latency (us) = round trip / 2, median of {} round(s);\n"
      "# bandwidth (MB/s, 10^6 B/s) = bytes / one-way latency (one message in flight, not osu_bw's window)\n",
      t.world_size, t.options.rounds);
  s += fmt::format("{:>10} {:>6} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>7} {:>7} {:>6}\n", "# bytes", "iters",
                   "raw_us", "contig_us", "serial_us", "raw_MB/s", "contig_MB/s", "serial_MB/s", "c/raw", "s/raw",
                   "intact");
  for (const Row& r : t.rows) {
    const double raw = r.latency_us[0];
    s += fmt::format(
        "{:>10} {:>6} {:>10.3f} {:>10.3f} {:>10.3f} {:>10.1f} {:>10.1f} {:>10.1f} {:>7.3f} {:>7.3f} {:>6}\n", r.bytes,
        r.iterations, r.latency_us[0], r.latency_us[1], r.latency_us[2], r.bandwidth_MBps[0], r.bandwidth_MBps[1],
        r.bandwidth_MBps[2], raw > 0 ? r.latency_us[1] / raw : 0.0, raw > 0 ? r.latency_us[2] / raw : 0.0,
        std::all_of(r.intact.begin(), r.intact.end(), [](bool b) { return b; }) ? "yes" : "NO");
  }
  s += "# fit T(m) = alpha + m / beta, least squares weighted by 1 / T^2, over the one-way times\n";
  for (Way w : kAllWays) {
    const Fit& f = t.fits[index(w)];
    s += fmt::format("# {:<17} alpha {:>9} us  beta {:>10} MB/s  r2 {:.4f}\n", to_string(w),
                     number_or_inf(f.alpha_us, 3), number_or_inf(f.beta_MBps, 1), f.r2);
  }
  return s;
}

nlohmann::json to_json(const Table& t) {
  static constexpr std::array<const char*, kWays> keys{"raw", "contiguous", "serialized"};
  nlohmann::json j;
  j["schema"] = "pardemo.pingpong/1";
  j["world_size"] = t.world_size;
  j["options"] = {{"max_bytes", t.options.max_bytes},
                  {"iterations_small", t.options.iterations_small},
                  {"warmup_small", t.options.warmup_small},
                  {"iterations_large", t.options.iterations_large},
                  {"warmup_large", t.options.warmup_large},
                  {"large_from", t.options.large_from},
                  {"rounds", t.options.rounds}};
  j["bandwidth_method"] = "bytes / one-way latency (round trip / 2)";
  nlohmann::json rows = nlohmann::json::array();
  for (const Row& r : t.rows) {
    nlohmann::json row{{"bytes", r.bytes}, {"iterations", r.iterations}};
    for (std::size_t k = 0; k < kWays; ++k) {
      row["latency_us"][keys[k]] = r.latency_us[k];
      row["bandwidth_MBps"][keys[k]] = r.bandwidth_MBps[k];
      row["intact"][keys[k]] = r.intact[k];
    }
    rows.push_back(std::move(row));
  }
  j["rows"] = std::move(rows);
  for (std::size_t k = 0; k < kWays; ++k)
    j["fits"][keys[k]] = {{"alpha_us", finite_or_null(t.fits[k].alpha_us)},
                          {"beta_MBps", finite_or_null(t.fits[k].beta_MBps)},
                          {"r2", finite_or_null(t.fits[k].r2)}};
  j["fit_method"] = "least squares of T(m) = alpha + m / beta weighted by 1 / T^2";
  return j;
}

}  // namespace pardemo::backends::pingpong
