#pragma once
// The communication benchmark: latency and bandwidth between ranks 0 and 1, in
// the style of the OSU micro-benchmarks' osu_latency, for three ways of sending
// the same bytes, measured side by side:
//
//   raw         MPI_Send / MPI_Recv of MPI_BYTE.
//   contiguous  Boost.MPI comm.send(dest, tag, const char*, n) / comm.recv(...):
//               an array of a primitive type maps onto an MPI datatype, no
//               serialization; the cost over raw is Boost.MPI's wrapper only.
//   serialized  Boost.MPI comm.send(dest, tag, payload) of a struct holding a
//               std::vector<char>: not an MPI datatype, so it travels through
//               Boost.Serialization's packed archive: the sender packs the
//               vector's size and bytes into a buffer, the buffer goes as
//               MPI_PACKED, the receiver learns its size from the message,
//               unpacks it and resizes its vector. (A plain std::vector<char>
//               would not do: Boost.MPI sends vectors of MPI datatypes
//               without serialization.)
//
// Method, per message size (0 B, then 1, 2, 4, ... up to max_bytes): for each
// way, `warmup` untimed round trips, then `iterations` timed ones (OSU: 10000
// after 100 up to 8 KiB, 100 after 10 above); rank 0 sends and waits for the
// reply, rank 1 receives and sends back. latency = elapsed / (2 iterations),
// the one-way time, in microseconds (MPI_Wtime). The three ways are
// interleaved per size (size s: the ways in an order rotated by s, so none is
// always first), and `rounds` > 1 repeats every (size, way) measurement that
// many times, interleaved too, keeping the median: machine noise falls on all
// three alike.
//
// bandwidth, MB/s (10^6 bytes per second) = bytes / one-way time, i.e. from the
// round trip, one message in flight at a time. This is NOT osu_bw's figure
// (a window of 64 non-blocking sends in flight, which hides the latency): it is
// lower, especially for mid-size messages.
//
// Each rank sends from its own send buffer and receives into its own receive
// buffer, as osu_latency does. (An earlier version in which rank 1 echoed the
// buffer it had just received measured 64 KiB round trips about 2 to 3 times
// slower than the OSU-style program on the 2-core development VM; answering
// from its own buffer, the two agree.)
//
// Payload check: the first warm-up round trip of every (size, way) carries a
// pattern that depends on the size, the way and the round; rank 1 checks every
// byte and writes each byte XOR 0x5A into its send buffer as the answer; rank 0
// checks the answer. The timed round trips send the buffers as they are.
//
// The other ranks of the communicator take no part: they wait asleep in
// sleepy_barrier (backends/mpi_util.hpp) until ranks 0 and 1 are done, so on a
// machine with fewer cores than ranks they do not steal the pair's CPUs.
//
// The latency-bandwidth model T(m) = alpha + m / beta is fitted to the one-way
// times of each way (report/model.hpp, relative weighting: every size counts
// by its relative error, so alpha comes from the small messages and beta from
// the large ones), alpha in microseconds, beta in MB/s.
#include <array>
#include <boost/mpi/communicator.hpp>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "report/model.hpp"

namespace pardemo::backends::pingpong {

enum class Way { raw, contiguous, serialized };
inline constexpr std::size_t kWays = 3;
inline constexpr std::array<Way, kWays> kAllWays{Way::raw, Way::contiguous, Way::serialized};
// "raw", "boost contiguous", "boost serialized".
std::string_view to_string(Way w);

struct Options {
  std::size_t max_bytes = std::size_t{4} << 20;  // largest message, included when a power of two
  int iterations_small = 10000;                  // timed round trips for sizes <= large_from
  int warmup_small = 100;
  int iterations_large = 100;  // for sizes > large_from
  int warmup_large = 10;
  std::size_t large_from = 8192;
  int rounds = 1;  // measurements of each (size, way); the median is kept
};

// Throws std::invalid_argument naming the bad option: iterations < 1, warm-up <
// 1 (the payload check rides on the first warm-up round trip), rounds < 1, or
// max_bytes > 1 GiB.
void validate(const Options& o);

// 0, then the powers of two from 1 to max_bytes.
std::vector<std::size_t> message_sizes(std::size_t max_bytes);

struct Row {
  std::size_t bytes = 0;
  int iterations = 0;                          // timed round trips per measurement
  std::array<double, kWays> latency_us{};      // one-way, median over rounds; index: static_cast<int>(Way)
  std::array<double, kWays> bandwidth_MBps{};  // bytes / latency
  std::array<bool, kWays> intact{};            // the checked round trips arrived unchanged, every round
};

// NaN everywhere when there is nothing to fit (a single size) or a time was 0.
struct Fit {
  double alpha_us = 0;
  double beta_MBps = 0;  // +infinity when time does not grow with size
  double r2 = 0;
};

struct Table {
  std::vector<Row> rows;
  std::array<Fit, kWays> fits{};
  Options options;
  int world_size = 0;  // ranks in the communicator (those beyond 2 only waited)

  [[nodiscard]] bool all_intact() const;
  // The row for `bytes`, or nullptr.
  [[nodiscard]] const Row* find(std::size_t bytes) const;
  // The fit of `way` as the model's link (seconds, bytes per second).
  [[nodiscard]] report::model::Link link(Way way) const;
};

// Collective over `comm`: every rank must call it. Needs at least 2 ranks
// (std::invalid_argument on every rank otherwise, and for invalid options).
// The rows and fits are filled on rank 0 only; the other ranks get a Table with
// no rows. Errors of MPI itself surface as boost::mpi::exception.
Table run(const boost::mpi::communicator& comm, const Options& options = {});

// The table as text: a header line, then one line per size with the latency
// (us) and bandwidth (MB/s) of each way and the ratios contiguous / raw and
// serialized / raw of the latency, then the three fits.
std::string format(const Table& t);

// The table as one JSON object (schema "pardemo.pingpong/1"): options,
// world_size, rows [{bytes, iterations, latency_us {raw, contiguous,
// serialized}, bandwidth_MBps {...}, intact {...}}], fits {raw: {alpha_us,
// beta_MBps, r2}, ...}. Infinite beta is written as null.
nlohmann::json to_json(const Table& t);

}  // namespace pardemo::backends::pingpong
