#pragma once
// The stencil workload: the PRK star stencil (core/stencil.hpp) on every
// backend. Its workers need their neighbours' values every iteration (a halo
// exchange), so it brings its own drivers (a DrivenWorkload, see drivers.hpp).
//
//   serial   root only: one n x n grid, the stencil over the interior, the increment.
//   threads  root only, ONE shared n x n grid; thread t owns the rows
//            partition(n, T, t) and writes only those rows of OUT and IN. Per
//            iteration: stencil, std::barrier (nobody increments IN while a
//            neighbour still reads it), increment, std::barrier. No lock.
//   mpi      a Py x Px process grid from MPI_Dims_create (Py >= Px), a Cartesian
//            communicator (MPI_Cart_create) and the four neighbours from
//            MPI_Cart_shift; each rank owns rows partition(n, Py, y) x cols
//            partition(n, Px, x) with ghost zones of width R. The R-wide strips go
//            to the four neighbours as MPI derived datatypes straight from the
//            array (MPI_Type_vector: R rows of the block, or R columns of every
//            row), no packing. The star needs no corners. Every block must be at
//            least R wide and high (n / Py >= R and n / Px >= R), else run() throws
//            std::invalid_argument on every rank.
//   hybrid   ranks as in mpi; each rank's block computed by T threads (rows of
//            the block, std::barrier per phase); only the main thread calls MPI.
//
// Exchanges (mpi and hybrid):
//   blocking  4 MPI_Irecv + 4 MPI_Isend + MPI_Waitall, then the stencil.
//             comm = the time in the exchange.
//   overlap   post the receives and sends, compute the points that need no
//             ghost (at distance >= R from the block's edges), wait, then
//             compute the four boundary strips. comm = posting plus the time
//             waiting for the halo once the inner points are done, so the hidden
//             part of the communication does not show.
// In hybrid, the barrier behind the main thread's exchange counts as comm for
// every thread of the rank (they all wait for the halo); the other barriers
// count as wait. The norm's messages (below) add to every worker's comm.
//
// What the overlap hid: with the overlapping exchange on ranks, every run is
// followed, outside its timed wall, by the same grid on the same ranks with the
// blocking exchange. Result::halo then holds, per rank, the main thread's time
// in the blocking exchanges beside its exposed time in the overlapping ones
// (report::HaloTimes; hidden = the difference). This doubles such a run's cost.
//
// The norm is bit-identical for every kind, exchange and process grid: each
// point's sum is formed in the same order everywhere, and the norm is summed
// in the order of the serial loop: every interior row left to right (a row cut
// between process columns is summed by passing its partial sum from rank to
// rank along the process row, left to right), then the row sums top to bottom
// on the root (one MPI_Gatherv of the row sums).
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/backend.hpp"
#include "core/stencil.hpp"
#include "core/workload.hpp"
#include "report/record.hpp"

namespace pardemo::backends::stencil {

enum class Exchange { blocking, overlap };
std::string_view to_string(Exchange e);
std::optional<Exchange> parse_exchange(std::string_view s);

struct Result {
  double norm = 0;           // mean of |OUT| over the interior
  std::uint64_t points = 0;  // interior points
  int rows_of_ranks = 1;     // the process grid (1 x 1 for serial and threads)
  int cols_of_ranks = 1;
  // --exchange overlap on ranks: per rank, the halo exchange's exposed time
  // against the blocking exchange's (see above). Not part of the answer.
  std::vector<report::HaloTimes> halo;
  // Seconds of the iterations alone, the longest over the ranks: PRK's timed
  // region, without the set-up (allocating and initialising the grid) and the
  // norm that the run's wall includes. Not part of the answer.
  double iterations_seconds = 0;
};

class Workload {
 public:
  using Result = stencil::Result;

  // Throws std::invalid_argument with validate()'s message when `p` is unusable.
  explicit Workload(core::stencil::Params p, Exchange exchange = Exchange::blocking);

  [[nodiscard]] std::string name() const { return "stencil"; }
  [[nodiscard]] const core::stencil::Params& params() const { return p_; }
  [[nodiscard]] Exchange exchange() const { return exchange_; }
  // Flops per run, PRK's count (core::stencil::flops): the Mop/s column is MFlop/s.
  [[nodiscard]] double operations() const { return core::stencil::flops(p_); }
  [[nodiscard]] std::vector<core::Field> parameters() const;
  static std::vector<core::Field> fields(const Result& r);
  // points == (n - 2R)^2 and |norm - 2 * iterations| <= 1e-8 * 2 * iterations (PRK's epsilon).
  [[nodiscard]] core::Verification verify(const Result& r) const;

  // Collective over `comm` for every kind. Result and worker times on the root only.
  // The thin drivers (see DrivenWorkload in drivers.hpp; call them through backends::run).
  [[nodiscard]] Outcome<Result> run_local(Kind kind, int threads, const boost::mpi::communicator& comm) const;
  [[nodiscard]] Outcome<Result> run_distributed(Kind kind, int threads, const boost::mpi::communicator& comm) const;

 private:
  core::stencil::Params p_;
  Exchange exchange_;
};

}  // namespace pardemo::backends::stencil
