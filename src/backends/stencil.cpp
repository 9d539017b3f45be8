#include "backends/stencil.hpp"

#include <mpi.h>

#include <algorithm>
#include <array>
#include <barrier>
#include <boost/mpi/collectives/gather.hpp>
#include <boost/mpi/collectives/reduce.hpp>
#include <boost/mpi/operations.hpp>
#include <boost/serialization/vector.hpp>
#include <cmath>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <thread>

#include "backends/thread_team.hpp"
#include "backends/drivers.hpp"
#include "backends/mpi_types.hpp"
#include "backends/mpi_util.hpp"

namespace pardemo::backends::stencil {

std::string_view to_string(Exchange e) { return e == Exchange::blocking ? "blocking" : "overlap"; }

std::optional<Exchange> parse_exchange(std::string_view s) {
  if (s == "blocking") return Exchange::blocking;
  if (s == "overlap") return Exchange::overlap;
  return std::nullopt;
}

namespace {

namespace cst = core::stencil;
using core::Range;
using cst::Layout;
using cst::Tile;

constexpr int kNormTag = 20;

// This worker's block of the grid: global rows x cols, with ghost zones. The
// arrays are not zero-filled here: each thread first touches (initialises) its
// own rows, so the threads share that cost instead of the main thread paying it
// alone. Ghost cells are written by the exchange before anything reads them;
// those beyond the grid's edge are never read (the interior keeps R away).
struct Block {
  Range rows;
  Range cols;
  Layout layout;
  std::unique_ptr<double[]> in_data;
  std::unique_ptr<double[]> out_data;

  Block(Range r, Range c, std::size_t ghost)
      : rows(r),
        cols(c),
        layout{r.size(), c.size(), ghost},
        in_data(std::make_unique_for_overwrite<double[]>(layout.size())),
        out_data(std::make_unique_for_overwrite<double[]>(layout.size())) {}
  [[nodiscard]] std::span<double> in() { return {in_data.get(), layout.size()}; }
  [[nodiscard]] std::span<double> out() { return {out_data.get(), layout.size()}; }
  [[nodiscard]] std::span<const double> out() const { return {out_data.get(), layout.size()}; }
};

// The part of `keep` (global indices) inside `block`, as indices local to the
// block; {0, 0} when none.
Range local_part(Range block, Range keep) {
  const std::uint64_t b = std::max(block.begin, keep.begin);
  const std::uint64_t e = std::min(block.end, keep.end);
  if (e <= b) return {0, 0};
  return {b - block.begin, e - block.begin};
}

Range shifted(Range r, std::uint64_t by) { return {r.begin + by, r.end + by}; }

// One side of a block cut into the points next to each edge and the middle:
// lo = [0, a), mid = [a, max(a, L - b)), hi = [max(a, L - b), L), with a the
// depth at the low edge and b at the high edge, each at most L.
struct Cut {
  Range lo, mid, hi;
};
Cut cut(std::uint64_t length, std::uint64_t low, std::uint64_t high) {
  const std::uint64_t a = std::min(low, length);
  const std::uint64_t b = std::max(a, length >= high ? length - high : 0);
  return {{0, a}, {a, b}, {b, length}};
}

// Which edges of a block have a neighbouring block, whose ghost strips come by
// message: only there does the overlapping exchange hold points back from the
// inner sweep. Where a block meets the grid's edge there is no ghost to wait
// for (the interior already keeps R away from it).
struct Neighbours {
  bool up = false, down = false, left = false, right = false;
};

// What one thread of a block computes: its rows of the stencil (all at once, or
// the inner part and the boundary strips for the overlapping exchange), and its
// rows of the increment.
struct ThreadWork {
  Tile whole;                  // all its interior points
  Tile inner;                  // those reading no ghost that comes by message
  std::array<Tile, 4> strips;  // the rest, R deep along each edge with a neighbour: top, bottom, left, right
  Tile owned;                  // every point of its rows (the increment)
  // The points of `owned` that only this thread's sweep reads, incremented
  // during the sweep (apply_and_increment): its rows but the R next to another
  // thread's rows, for the blocking exchange (whose messages are done before
  // the sweep) and without a halo; for the overlapping exchange only those
  // also 2R or more from every edge of the block that has a neighbour, which
  // no message in flight and no boundary strip reads, fused into the inner
  // sweep.
  Tile fresh_blocking;
  Tile fresh_overlap;
  std::vector<Tile> rest_blocking;  // owned minus fresh: incremented after a barrier
  std::vector<Tile> rest_overlap;
  Range norm_rows;  // its interior rows, local
};

ThreadWork plan_thread(const Block& b, const cst::Params& p, const Neighbours& n, std::size_t threads, std::size_t t) {
  const auto r = static_cast<std::uint64_t>(p.radius);
  const Range mine = core::partition(b.layout.rows, threads, t);
  const Range irows = local_part(b.rows, cst::interior(p));
  const Range icols = local_part(b.cols, cst::interior(p));
  const Range all_cols{0, b.layout.cols};
  const Tile everything{0, b.layout.rows, 0, b.layout.cols};
  const Tile ours = cst::clip(everything, mine, all_cols);
  ThreadWork w;
  w.owned = ours;
  w.whole = cst::clip(ours, irows, icols);
  const auto depth = [r](bool neighbour, std::uint64_t times) { return neighbour ? times * r : 0; };
  const Cut v = cut(b.layout.rows, depth(n.up, 1), depth(n.down, 1));
  const Cut h = cut(b.layout.cols, depth(n.left, 1), depth(n.right, 1));
  w.inner = cst::clip(w.whole, v.mid, h.mid);
  w.strips = {cst::clip(w.whole, v.lo, all_cols), cst::clip(w.whole, v.hi, all_cols), cst::clip(w.whole, v.mid, h.lo),
              cst::clip(w.whole, v.mid, h.hi)};
  const std::uint64_t top = t > 0 ? r : 0;
  const std::uint64_t bottom = t + 1 < threads ? r : 0;
  const Range private_rows{mine.begin + std::min(top, mine.size()),
                           std::max(mine.begin + std::min(top, mine.size()), mine.end - std::min(bottom, mine.size()))};
  w.fresh_blocking = cst::clip(ours, private_rows, all_cols);
  // 2R or more from every edge with a neighbour: beyond the strips sent and the rows the boundary strips read
  const Range deep_rows = cut(b.layout.rows, depth(n.up, 2), depth(n.down, 2)).mid;
  const Range deep_cols = cut(b.layout.cols, depth(n.left, 2), depth(n.right, 2)).mid;
  w.fresh_overlap = cst::clip(w.fresh_blocking, deep_rows, deep_cols);
  w.rest_blocking = cst::frame(ours, w.fresh_blocking);
  w.rest_overlap = cst::frame(ours, w.fresh_overlap);
  const Range rows_norm = local_part({mine.begin + b.rows.begin, mine.end + b.rows.begin}, cst::interior(p));
  w.norm_rows = rows_norm.empty() ? Range{0, 0} : shifted(rows_norm, mine.begin);
  return w;
}

std::uint64_t points(const Tile& t) { return static_cast<std::uint64_t>(t.rows) * t.cols; }

// The halo exchange of one rank's block with its four neighbours on a Cartesian
// communicator. The strips travel as derived datatypes straight from and into
// the block's IN array: R whole rows (MPI_Type_vector of R blocks of `cols`), or
// R columns of every row (MPI_Type_vector of `rows` blocks of R). Neighbours
// beyond the grid's edge are MPI_PROC_NULL, which MPI skips.
class Halo {
 public:
  Halo(MPI_Comm cart, const Layout& l, int radius) : cart_(cart), layout_(l) {
    MPI_Cart_shift(cart_, 0, 1, &up_, &down_);
    MPI_Cart_shift(cart_, 1, 1, &left_, &right_);
    const int stride = to_int(l.stride());
    MPI_Type_vector(radius, to_int(l.cols), stride, MPI_DOUBLE, &rows_);
    MPI_Type_commit(&rows_);
    MPI_Type_vector(to_int(l.rows), radius, stride, MPI_DOUBLE, &cols_);
    MPI_Type_commit(&cols_);
  }
  Halo(const Halo&) = delete;
  Halo& operator=(const Halo&) = delete;
  ~Halo() {
    MPI_Type_free(&rows_);
    MPI_Type_free(&cols_);
  }

  // Tags name the direction a strip travels.
  void post(std::span<double> in) {
    done_ = false;
    const Layout& l = layout_;
    const std::size_t r = l.ghost;
    double* origin = in.data() + l.at(0, 0);
    double* top_ghost = origin - r * l.stride();
    double* left_ghost = origin - r;
    MPI_Irecv(top_ghost, 1, rows_, up_, kDown, cart_, &requests_[0]);
    MPI_Irecv(in.data() + l.at(l.rows, 0), 1, rows_, down_, kUp, cart_, &requests_[1]);
    MPI_Irecv(left_ghost, 1, cols_, left_, kRight, cart_, &requests_[2]);
    MPI_Irecv(in.data() + l.at(0, l.cols), 1, cols_, right_, kLeft, cart_, &requests_[3]);
    MPI_Isend(in.data() + l.at(l.rows - r, 0), 1, rows_, down_, kDown, cart_, &requests_[4]);
    MPI_Isend(origin, 1, rows_, up_, kUp, cart_, &requests_[5]);
    MPI_Isend(in.data() + l.at(0, l.cols - r), 1, cols_, right_, kRight, cart_, &requests_[6]);
    MPI_Isend(origin, 1, cols_, left_, kLeft, cart_, &requests_[7]);
  }
  void wait() {
    if (!done_) MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE);
    done_ = true;
  }
  // Lets MPI move the messages on without waiting for them: between two
  // messages' worth of computing, a rank that never called MPI would leave a
  // large strip (sent by rendezvous) untouched until wait(). Once every
  // message is done it calls MPI no more (each call runs Open MPI's progress
  // engine).
  void test() {
    if (done_) return;
    int done = 0;
    MPI_Testall(static_cast<int>(requests_.size()), requests_.data(), &done, MPI_STATUSES_IGNORE);
    done_ = done != 0;
  }

  [[nodiscard]] Neighbours neighbours() const {
    return {up_ != MPI_PROC_NULL, down_ != MPI_PROC_NULL, left_ != MPI_PROC_NULL, right_ != MPI_PROC_NULL};
  }
  [[nodiscard]] int left() const { return left_; }
  [[nodiscard]] int right() const { return right_; }

  static int to_int(std::size_t v) {
    if (v > static_cast<std::size_t>(std::numeric_limits<int>::max()))
      throw std::length_error("stencil: a block too large for one MPI message");
    return static_cast<int>(v);
  }

 private:
  static constexpr int kDown = 10, kUp = 11, kRight = 12, kLeft = 13;
  MPI_Comm cart_;
  Layout layout_;
  int up_ = MPI_PROC_NULL, down_ = MPI_PROC_NULL, left_ = MPI_PROC_NULL, right_ = MPI_PROC_NULL;
  MPI_Datatype rows_ = MPI_DATATYPE_NULL, cols_ = MPI_DATATYPE_NULL;
  std::array<MPI_Request, 8> requests_{};
  bool done_ = true;  // every request of the last post() complete (none posted yet)
};

// Initialises the block and runs the iterations with times.size() threads.
// `halo` is null for the shared-memory kinds (one block, the whole grid).
// Points of the interior swept between two of the main thread's MPI_Testall
// calls while the overlapping exchange is in flight (about a quarter of a
// millisecond of work): 64 rows at n = 4000 on 2 ranks. With 2^16 points,
// bands of 16 rows, the overlap's compute time there was about 1.4% above the
// blocking run's and its wall about 1% longer (2-core Intel Xeon VM, medians
// of 6); with 2^18 it left 0.2-0.3 ms of the halo exposed per rank and ran at
// 0.98 of the blocking wall (median of 5).
constexpr std::size_t kBandPoints = std::size_t{1} << 18;

// apply_and_increment over `tile` in bands of whole rows of about kBandPoints,
// calling between() after each band. Each row of `fresh` goes with the band
// whose sweep reads it last (the first band also takes the rows above the
// tile's reach, the last those below), so the result is that of one call.
template <class Between>
void sweep_in_bands(const cst::Weights& w, Block& b, const Tile& tile, const Tile& fresh, Between&& between) {
  const auto r = static_cast<std::size_t>(w.radius);
  // An even number of rows where it can: the kernel sweeps rows in pairs, and
  // a band of an odd count ends with one row on its own.
  const std::size_t rows = kBandPoints / std::max<std::size_t>(1, tile.cols);
  const std::size_t band = rows >= 2 ? rows & ~std::size_t{1} : 1;
  const std::size_t end = tile.row0 + tile.rows;
  if (tile.empty()) {
    cst::apply_and_increment(w, b.in(), b.out(), b.layout, tile, fresh);
    between();
    return;
  }
  constexpr auto kAll = std::numeric_limits<std::uint64_t>::max();
  for (std::size_t b0 = tile.row0; b0 < end; b0 += band) {
    const std::size_t b1 = std::min(b0 + band, end);
    const std::uint64_t lo = b0 == tile.row0 ? 0 : b0 - std::min(b0, r);
    const std::uint64_t hi = b1 == end ? kAll : b1 - std::min(b1, r);
    cst::apply_and_increment(w, b.in(), b.out(), b.layout, Tile{b0, b1 - b0, tile.col0, tile.cols},
                             cst::clip(fresh, Range{lo, hi}, Range{0, kAll}));
    between();
  }
}

// Per iteration: [exchange], stencil with the increment of the thread's own
// points fused in (ThreadWork::fresh_*), barrier, increment of the rest of its
// points, barrier. The barrier
// that waits for the halo counts as comm for every thread of the rank (they all
// wait for the main thread's exchange); the others count as wait.
// Returns the seconds of the iterations alone, as the main thread saw them
// (from the barrier after the set-up to the end of the last iteration).
double iterate(const cst::Params& p, Block& b, Halo* halo, Exchange exchange, std::vector<ThreadWork>& work,
               std::vector<report::WorkerTimes>& times) {
  const cst::Weights w = cst::weights(p.radius);
  std::barrier sync(static_cast<std::ptrdiff_t>(times.size()));
  const bool overlap = halo != nullptr && exchange == Exchange::overlap;
  double iterations = 0;
  on_threads(times, [&](std::size_t t) {
    const ThreadWork& mine = work[t];
    report::WorkerTimes& tm = times[t];
    report::Stopwatch sw;
    auto phase_end = [&](double& into) {
      into += sw.seconds();
      sw.restart();
    };
    cst::initialize(b.in(), b.layout, mine.owned, b.rows.begin, b.cols.begin);
    for (std::size_t r = mine.owned.row0; r < mine.owned.row0 + mine.owned.rows; ++r) {
      const auto row = b.out().subspan(b.layout.at(r, 0), b.layout.cols);
      std::fill(row.begin(), row.end(), 0.0);
    }
    phase_end(tm.compute);
    sync.arrive_and_wait();
    phase_end(tm.wait);
    report::Stopwatch loop;
    for (std::uint64_t it = 0; it < p.iterations; ++it) {
      if (halo != nullptr) {
        if (t == 0) {
          halo->post(b.in());
          if (!overlap) halo->wait();
        }
        if (!overlap) {
          sync.arrive_and_wait();  // the ghosts are in
          phase_end(tm.comm);
        } else {
          phase_end(tm.comm);
        }
      }
      if (overlap) {
        // The main thread keeps the messages moving while the interior is
        // computed; its MPI_Testall calls (microseconds) count as compute.
        sweep_in_bands(w, b, mine.inner, mine.fresh_overlap, [&] {
          if (t == 0) halo->test();
        });
        phase_end(tm.compute);
        if (t == 0) halo->wait();
        sync.arrive_and_wait();  // the ghosts are in
        phase_end(tm.comm);
        for (const Tile& s : mine.strips) cst::apply(w, b.in(), b.out(), b.layout, s);
      } else {
        cst::apply_and_increment(w, b.in(), b.out(), b.layout, mine.whole, mine.fresh_blocking);
      }
      phase_end(tm.compute);
      sync.arrive_and_wait();  // nobody still reads the IN rows about to be incremented
      phase_end(tm.wait);
      for (const Tile& part : overlap ? mine.rest_overlap : mine.rest_blocking) cst::increment(b.in(), b.layout, part);
      phase_end(tm.compute);
      sync.arrive_and_wait();  // IN complete for the next exchange and stencil
      phase_end(tm.wait);
    }
    if (t == 0) iterations = loop.seconds();
  });
  return iterations;
}

// Each thread's interior rows summed left to right, continuing from the sums
// in `sums` (the partial sums of the same rows from the blocks to the left).
// sums[i] belongs to the block's i-th interior row.
void sum_rows(const cst::Params& p, const Block& b, const std::vector<ThreadWork>& work, std::vector<double>& sums,
              std::vector<report::WorkerTimes>& times) {
  const Range irows = local_part(b.rows, cst::interior(p));
  const Range icols = local_part(b.cols, cst::interior(p));
  on_threads(times, [&](std::size_t t) {
    report::Stopwatch sw;
    for (std::uint64_t r = work[t].norm_rows.begin; r < work[t].norm_rows.end; ++r) {
      double& s = sums[r - irows.begin];
      s = cst::row_sum(b.out(), b.layout, r, icols.begin, icols.size(), s);
    }
    times[t].charge(report::Span::compute, sw);
  });
}

std::vector<ThreadWork> plan_threads(const Block& b, const cst::Params& p, const Neighbours& n,
                                     std::vector<report::WorkerTimes>& times) {
  std::vector<ThreadWork> work;
  for (std::size_t t = 0; t < times.size(); ++t) {
    work.push_back(plan_thread(b, p, n, times.size(), t));
    times[t].items = points(work.back().whole);
  }
  return work;
}

}  // namespace

Workload::Workload(core::stencil::Params p, Exchange exchange) : p_(p), exchange_(exchange) {
  if (auto m = cst::validate(p_); !m.empty()) throw std::invalid_argument("stencil: " + m);
}

std::vector<core::Field> Workload::parameters() const {
  return {{"n", p_.n},
          {"radius", static_cast<std::uint64_t>(p_.radius)},
          {"iterations", p_.iterations},
          {"exchange", std::string(to_string(exchange_))}};
}

std::vector<core::Field> Workload::fields(const Result& r) { return {{"norm", r.norm}, {"points", r.points}}; }

core::Verification Workload::verify(const Result& r) const {
  core::Verification v;
  const double ref = cst::reference_norm(p_);
  const double err = std::fabs(r.norm - ref) / ref;
  constexpr double kEpsilon = 1e-8;
  v.reference = "closed form: mean |OUT| over the interior = 2 * iterations = " + std::to_string(ref) +
                " (PRK's epsilon 1e-8, relative)";
  v.detail = "norm " + std::to_string(r.norm) + ", relative error " + std::to_string(err) + ", " +
             std::to_string(r.points) + " interior points of " + std::to_string(cst::interior_points(p_));
  v.passed = err <= kEpsilon && r.points == cst::interior_points(p_);
  return v;
}

Outcome<Result> Workload::run_local(Kind kind, int threads, const boost::mpi::communicator& comm) const {
  return on_root<Result>(kind, threads, comm, [&](Outcome<Result>& out) {
    std::vector<report::WorkerTimes> times = fresh_times(0, threads);
    Block b({0, p_.n}, {0, p_.n}, 0);
    std::vector<ThreadWork> work = plan_threads(b, p_, Neighbours{}, times);
    const double iterations = iterate(p_, b, nullptr, exchange_, work, times);
    std::vector<double> sums(cst::interior(p_).size(), 0.0);
    sum_rows(p_, b, work, sums, times);
    report::Stopwatch combine;
    Result r;
    r.norm = cst::norm_of_rows(sums, p_);
    r.points = cst::interior_points(p_);
    r.iterations_seconds = iterations;
    out.result = r;
    out.combine = combine.seconds();
    out.workers = std::move(times);
  });
}

Outcome<Result> Workload::run_distributed(Kind kind, int threads, const boost::mpi::communicator& comm) const {
  Outcome<Result> out;
  out.kind = kind;
  out.ranks = comm.size();
  out.threads_per_rank = threads;
  const auto radius = static_cast<std::uint64_t>(p_.radius);

  // The process grid: identical on every rank, so a grid too fine for the
  // radius throws everywhere and no rank is left waiting.
  std::array<int, 2> dims{0, 0};
  MPI_Dims_create(comm.size(), 2, dims.data());
  const auto py = static_cast<std::uint64_t>(dims[0]);
  const auto px = static_cast<std::uint64_t>(dims[1]);
  if (p_.n / py < radius || p_.n / px < radius)
    throw std::invalid_argument("stencil: blocks of " + std::to_string(p_.n / py) + " x " + std::to_string(p_.n / px) +
                                " points on a " + std::to_string(py) + " x " + std::to_string(px) +
                                " process grid are thinner than the radius " + std::to_string(radius) +
                                "; use fewer ranks or a larger n");
  MPI_Comm cart = MPI_COMM_NULL;
  const std::array<int, 2> periods{0, 0};
  MPI_Cart_create(comm, 2, dims.data(), periods.data(), 0, &cart);  // no reorder: rank 0 stays the root
  int rank = 0;
  MPI_Comm_rank(cart, &rank);
  std::array<int, 2> coords{0, 0};
  MPI_Cart_coords(cart, rank, 2, coords.data());
  const auto y = static_cast<std::uint64_t>(coords[0]);
  const auto x = static_cast<std::uint64_t>(coords[1]);

  std::vector<report::WorkerTimes> times = fresh_times(comm.rank(), threads);
  synchronize(comm);
  report::Stopwatch wall;
  double talked = 0;
  double halo_comm = 0;   // the main thread's time in the halo exchanges
  double iterations = 0;  // this rank's iterations alone
  {
    Block b(core::partition(p_.n, py, y), core::partition(p_.n, px, x), radius);
    Halo halo(cart, b.layout, p_.radius);
    std::vector<ThreadWork> work = plan_threads(b, p_, halo.neighbours(), times);
    iterations = iterate(p_, b, &halo, exchange_, work, times);
    halo_comm = times[0].comm;

    // The norm in the serial loop's order: each interior row's partial sum
    // travels left to right along the process row; the last column holds the
    // whole rows' sums, which go to the root in one gather, summed top to bottom.
    const Range irows = local_part(b.rows, cst::interior(p_));
    std::vector<double> sums(irows.size(), 0.0);
    report::Stopwatch talking;
    const int count = Halo::to_int(sums.size());
    if (halo.left() != MPI_PROC_NULL)
      MPI_Recv(sums.data(), count, MPI_DOUBLE, halo.left(), kNormTag, cart, MPI_STATUS_IGNORE);
    talked += talking.seconds();
    sum_rows(p_, b, work, sums, times);
    talking.restart();
    if (halo.right() != MPI_PROC_NULL) MPI_Send(sums.data(), count, MPI_DOUBLE, halo.right(), kNormTag, cart);

    std::vector<int> counts, displs;
    std::vector<double> all;
    if (rank == 0) {
      all.assign(cst::interior(p_).size(), 0.0);
      for (int q = 0; q < comm.size(); ++q) {
        std::array<int, 2> c{0, 0};
        MPI_Cart_coords(cart, q, 2, c.data());
        const Range rows = core::partition(p_.n, py, static_cast<std::uint64_t>(c[0]));
        const Range keep{std::max(rows.begin, radius), std::min(rows.end, p_.n - radius)};
        const bool last = static_cast<std::uint64_t>(c[1]) == px - 1;
        counts.push_back(last && keep.end > keep.begin ? Halo::to_int(keep.size()) : 0);
        displs.push_back(last && keep.end > keep.begin ? Halo::to_int(keep.begin - radius) : 0);
      }
    }
    const int sent = halo.right() == MPI_PROC_NULL ? count : 0;
    MPI_Gatherv(sums.data(), sent, MPI_DOUBLE, all.data(), counts.data(), displs.data(), MPI_DOUBLE, 0, cart);
    talked += talking.seconds();
    if (rank == 0) {
      report::Stopwatch combine;
      Result r;
      r.norm = cst::norm_of_rows(all, p_);
      r.points = cst::interior_points(p_);
      r.rows_of_ranks = dims[0];
      r.cols_of_ranks = dims[1];
      out.result = r;
      out.combine = combine.seconds();
    }
  }  // the datatypes are freed before the communicator
  const double elapsed = wall.seconds();
  if (exchange_ == Exchange::overlap) {
    // The blocking reference, outside the timed wall: the same blocks, the same
    // ranks and threads, the blocking exchange. Only its exchange time is kept.
    std::vector<report::WorkerTimes> ref = fresh_times(comm.rank(), threads);
    synchronize(comm);
    {
      Block b(core::partition(p_.n, py, y), core::partition(p_.n, px, x), radius);
      Halo halo(cart, b.layout, p_.radius);
      std::vector<ThreadWork> work = plan_threads(b, p_, halo.neighbours(), ref);
      iterate(p_, b, &halo, Exchange::blocking, work, ref);
    }
    const report::HaloTimes mine{comm.rank(), ref[0].comm, halo_comm};
    std::vector<report::HaloTimes> all;
    boost::mpi::gather(comm, mine, all, 0);
    if (out.result) out.result->halo = std::move(all);
  }
  MPI_Comm_free(&cart);
  boost::mpi::reduce(comm, elapsed, out.wall, boost::mpi::maximum<double>(), 0);
  double longest = 0;
  boost::mpi::reduce(comm, iterations, longest, boost::mpi::maximum<double>(), 0);
  if (out.result) out.result->iterations_seconds = longest;

  for (auto& t : times) t.comm += talked;
  std::vector<std::vector<report::WorkerTimes>> all_times;
  boost::mpi::gather(comm, times, all_times, 0);
  for (auto& v : all_times) out.workers.insert(out.workers.end(), v.begin(), v.end());
  return out;
}

static_assert(DrivenWorkload<Workload>);

}  // namespace pardemo::backends::stencil
