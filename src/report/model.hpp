#pragma once
// Performance models: pure functions, no MPI, no clocks.
//
// - The latency-bandwidth ("alpha-beta", Hockney) model of one message,
//   T(m) = alpha + m / beta, fitted by least squares to measured times.
// - Collective costs built from it, each named after the algorithm Open MPI 4.1
//   uses for the call (Thakur, Rabenseifner, Gropp, "Optimization of collective
//   communication operations in MPICH", IJHPCA 2005, give the same formulas).
// - A strong-scaling prediction per workload, T(p) = T1 / p + C(p): the serial
//   time split evenly, plus the communication each workload's MPI driver really
//   performs inside its timed region (src/backends/*.cpp), on the critical path.
// - Scaling statistics: Karp-Flatt, an Amdahl fit, Gustafson, weak scaling.
//
// Units: seconds and bytes; beta in bytes per second. p is the number of MPI
// ranks (one worker per rank: the mpi backend).
//
// What no model here contains: the time to wake a rank that waits asleep (the
// sleepy barrier polls with naps of up to 1 ms), load imbalance (T1 / p assumes
// equal shares: mandelbrot's and primes' block splits are not), memory-bandwidth
// contention between ranks on one host, and any work that the parallel program
// does and the serial one does not (sort's merge of p runs, wordfreq's merges of
// received tables, deserialization beyond what the fitted beta includes).
// Compare the predictions with measured times through relative_error().
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <variant>

namespace pardemo::report::model {

// ---------------------------------------------------------------------------
// The latency-bandwidth model of one message

// How the points of a fit are weighted.
//   equal:    ordinary least squares, minimises sum (T_i - alpha - m_i / beta)^2.
//             Sizes that grow geometrically (0, 1, 2, 4, ... 4 MiB) leave the
//             intercept to the largest messages, whose times are hundreds of
//             microseconds: alpha comes out with the noise of those.
//   relative: minimises sum ((T_i - alpha - m_i / beta) / T_i)^2, i.e. weights
//             1 / T_i^2: every size counts by its relative error, so alpha is
//             set by the small messages and beta by the large ones. Needs every
//             T_i > 0.
enum class Weighting { equal, relative };

struct LinkFit {
  double alpha_s = 0;                                                 // latency: the time of an empty message
  double beta_bytes_per_s = std::numeric_limits<double>::infinity();  // asymptotic bandwidth
  double r2 = 0;  // coefficient of determination, in the fit's own weighting (1 = perfect)
};

// Least-squares fit of seconds[i] = alpha + sizes_bytes[i] / beta. When the
// fitted slope is zero or negative (time does not grow with size, within the
// noise), beta is +infinity. alpha may come out negative when the data are not
// a straight line; it is returned as fitted, not clamped.
// Throws std::invalid_argument: the spans differ in length, fewer than two
// distinct sizes, a negative or non-finite size or time, or (relative) a time
// that is not positive.
LinkFit fit_latency_bandwidth(std::span<const double> sizes_bytes, std::span<const double> seconds,
                              Weighting weighting = Weighting::equal);

// The parameters of the model, as the predictions use them.
struct Link {
  double alpha_s = 0;
  double beta_bytes_per_s = std::numeric_limits<double>::infinity();
};
inline Link link_of(const LinkFit& f) { return {f.alpha_s, f.beta_bytes_per_s}; }

// alpha + bytes / beta.
double message_s(const Link& link, double bytes);

// ---------------------------------------------------------------------------
// Collective operations over p ranks. All are 0 for p = 1.

// ceil(log2 p): the rounds of a binomial tree or of recursive doubling. 0 for p = 1.
int ceil_log2(int p);

// Barrier (dissemination, also MPI_Ibarrier): ceil(log2 p) * alpha.
double barrier_s(const Link& link, int p);

// A binomial tree carrying the same `bytes` in each round (reduce, broadcast,
// a small allreduce by recursive doubling): ceil(log2 p) * (alpha + bytes / beta).
double tree_s(const Link& link, int p, double bytes);

// Binomial gather of `bytes_per_rank` from every rank to the root (MPI_Gather of
// small blocks): ceil(log2 p) * alpha + (p - 1) * bytes_per_rank / beta.
double binomial_gather_s(const Link& link, int p, double bytes_per_rank);

// Linear gather (MPI_Gatherv: the root receives from the p - 1 others in turn):
// (p - 1) * (alpha + bytes_per_rank / beta).
double linear_gather_s(const Link& link, int p, double bytes_per_rank);

// Allgather (recursive doubling or Bruck): ceil(log2 p) * alpha + (p - 1) * bytes_per_rank / beta.
double allgather_s(const Link& link, int p, double bytes_per_rank);

// Pairwise-exchange all-to-all, `bytes_per_pair` from every rank to every other:
// (p - 1) * (alpha + bytes_per_pair / beta).
double alltoall_s(const Link& link, int p, double bytes_per_pair);

// The 2-D process grid MPI_Dims_create(p, 2, {0, 0}) gives with Open MPI 4.1:
// the prime factors of p, largest first, each multiplied into the dimension with
// the smaller product; rows >= cols. Not always the squarest grid: p = 72 gives
// 12 x 6, not 9 x 8 (MPICH may differ).
struct Grid {
  int rows = 1;  // Py, dims[0]
  int cols = 1;  // Px, dims[1]
};
Grid process_grid(int p);

// ---------------------------------------------------------------------------
// Communication patterns of the workloads, as their MPI drivers do it

// ep, primes, mandelbrot (the item drivers, backends/drivers.hpp run_distributed):
// after computing, every rank enters a (sleepy) barrier, then the pieces of all
// ranks go to the root (gather_pieces). ep and primes: one boost::mpi::gather of
// a serialized vector, which is an MPI_Gather of the archive sizes (an int each)
// and an MPI_Gatherv of the archives. mandelbrot (flat): an MPI_Gather of the
// header sizes, an MPI_Gatherv of the 32-byte piece headers (one piece per rank
// under the block split), then one message of pixels from each rank, received
// one after the other. `result_bytes` is the size of all partial results
// together; each rank sends result_bytes / p.
//   C(p) = ceil(log2 p) * alpha                              barrier
//        + ceil(log2 p) * alpha + (p - 1) * 4 / beta         MPI_Gather of the sizes
//        [+ (p - 1) * (alpha + 32 / beta)]                   flat: MPI_Gatherv of the headers
//        + (p - 1) * (alpha + result_bytes / (p beta))       the pieces
// Pass the fit of Boost.MPI's serialized messages where the pieces are
// archives, of raw MPI messages where they are flat.
// Not a tree reduction of a few doubles: the drivers combine every piece on the
// root in item order, which keeps the answer bit-identical for every decomposition.
struct ItemsGather {
  double result_bytes = 0;
  bool flat = false;
};
// The serialized size of one piece (range, worker, archive framing), beyond its data.
inline constexpr double kPieceOverheadBytes = 64;
// ep: a piece holds the sums sx and sy of each of its batches (16 bytes a batch)
// and the ten annulus counts (80 bytes); one piece per rank (block split).
ItemsGather ep_pattern(std::uint64_t batches, int p);
// primes: one count (8 bytes) per piece.
ItemsGather primes_pattern(int p);
// mandelbrot: the iteration count of every pixel (4 bytes), flat.
ItemsGather mandelbrot_pattern(std::uint64_t width, std::uint64_t height, int p);

// stencil (backends/stencil.cpp, blocking exchange): a Py x Px grid from
// process_grid(p), blocks of at most ceil(n / Py) rows x ceil(n / Px) columns.
// Per iteration a rank exchanges with each neighbour it has: above and below
// R rows of its block (8 R ceil(n / Px) bytes), left and right R columns of it
// (8 R ceil(n / Py) bytes); the critical path is a rank with the most
// neighbours, min(Py - 1, 2) vertical and min(Px - 1, 2) horizontal. The four
// exchanges are counted one after the other (a shared-memory transport copies
// with the CPU, so they hardly overlap). After the iterations, each interior
// row's partial sum travels left to right along the process row (Px - 1 hops of
// 8 ceil(n / Py) bytes), and the ranks of the last process column send their
// row sums to the root (MPI_Gatherv, linear).
//   halo(p) = min(Py - 1, 2) * (alpha + 8 R ceil(n / Px) / beta)
//           + min(Px - 1, 2) * (alpha + 8 R ceil(n / Py) / beta)
//   C(p)    = I * halo(p)
//           + (Px - 1) * (alpha + 8 ceil(n / Py) / beta)
//           + s * (alpha + 8 ceil(n / Py) / beta),   s = Py if Px > 1, else Py - 1
// With --exchange overlap, I * halo(p) is an upper bound (part of it hides
// behind the inner points). Pass the fit of raw MPI messages.
struct Halo {
  std::uint64_t n = 0;
  int radius = 2;
  std::uint64_t iterations = 1;
};

// sort (backends/sort.cpp, sample sort of N 8-byte keys): inside the timed
// region, a barrier after the local sort; an allgather of p regular samples per
// rank (Boost.MPI: MPI_Allgather of the archive sizes, MPI_Allgatherv of the
// archives); MPI_Alltoall of the bucket sizes; an MPI_Allreduce of one int; the
// keys by MPI_Alltoallv, N 8 / p^2 bytes per pair on average; a barrier after
// the merge; an MPI_Gather of 7 words (56 bytes) of summary per rank. The
// gather of all keys to the root (n <= 2^22, for verification) happens after
// the timed region and is not modelled.
//   C(p) = 2 ceil(log2 p) alpha                                 two barriers
//        + allgather(4) + allgather(8 p + 16)                    the samples
//        + (p - 1)(alpha + 8 / beta)                             MPI_Alltoall of counts
//        + ceil(log2 p)(alpha + 4 / beta)                        MPI_Allreduce
//        + (p - 1)(alpha + 8 N / (p^2 beta))                     MPI_Alltoallv of keys
//        + ceil(log2 p) alpha + (p - 1) 56 / beta                MPI_Gather of summaries
// with allgather(m) = ceil(log2 p) alpha + (p - 1) m / beta. The keys
// dominate: C(p) ~ (p - 1) alpha + 8 N (p - 1) / (p^2 beta). Pass the fit of raw
// MPI messages.
struct SampleSort {
  std::uint64_t keys = 0;
};

// wordfreq (backends/wordfreq.cpp): a binary tree of messages, ceil(log2 p)
// steps; at each step the receiving rank (rank 0 on the critical path) takes one
// table of about `table_bytes`. The serialized merge sends one Boost.MPI archive
// (messages_per_step = 1, pass the serialized fit); --flat-merge sends four raw
// messages (a header, the letters, the word ends, the counts: messages_per_step
// = 4, pass the raw fit).
//   C(p) = ceil(log2 p) * (messages_per_step * alpha + table_bytes / beta)
// Tables grow as they merge (more distinct words): use the size of a merged table.
struct TreeMerge {
  double table_bytes = 0;
  int messages_per_step = 1;
};

using Pattern = std::variant<ItemsGather, Halo, SampleSort, TreeMerge>;

// "items gather", "halo exchange", "sample sort" or "tree merge".
std::string_view name(const Pattern& pattern);

// C(p): the seconds of communication on the critical path; 0 for p = 1.
// Throws std::invalid_argument for p < 1.
double communication_s(const Pattern& pattern, const Link& link, int p);

struct Params {
  double t1_s = 0;  // the serial run's wall time, measured
  Link link;
};

struct Prediction {
  double time_s = 0;      // T(p) = T1 / p + C(p)
  double compute_s = 0;   // T1 / p
  double comm_s = 0;      // C(p)
  double speedup = 1;     // T1 / T(p)
  double efficiency = 1;  // speedup / p
};

// The strong-scaling prediction for p ranks: the same problem as the serial run.
// For p = 1 the speedup and efficiency are exactly 1. Throws std::invalid_argument
// for p < 1 or a t1_s that is not positive and finite.
Prediction predict(const Pattern& pattern, const Params& params, int p);

// (predicted - measured) / measured: +0.10 means the model is 10 % slow.
// Throws std::invalid_argument when measured is not positive.
double relative_error(double predicted_s, double measured_s);

}  // namespace pardemo::report::model
