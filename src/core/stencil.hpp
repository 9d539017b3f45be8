#pragma once
// The Parallel Research Kernels star stencil, the pieces every backend shares.
// No MPI and no threads here: the backends decide who owns which block of the
// grid and how the ghost cells get filled.
//
// An n x n grid of doubles IN(i, j) = i + j (global indices) and OUT = 0. One
// application, the step every backend repeats `iterations` times:
//   OUT(i, j) += sum over k = 1 .. R of  w(k) * (IN(i, j+k) + IN(i+k, j))
//                                       - w(k) * (IN(i, j-k) + IN(i-k, j))
//   for the interior points (at distance >= R from every edge), w(k) = 1/(2kR),
//   then IN(i, j) += 1 at every point.
// The weights are PRK's (Cxx11/stencil: weight[R][R+k] = weight[R+k][R] = +1/(2kR),
// the mirrored ones negated, the centre 0). For IN = i + j each direction adds
// sum_k w(k) * 2k = 1 per application, so OUT = 2 * applications at every
// interior point and the norm (the mean of |OUT| over the interior) is
// 2 * iterations.
//
// Iteration count, and how it differs from PRK: PRK's `stencil <iterations>`
// applies the stencil iterations + 1 times (the first untimed) and checks the
// norm against (iterations + 1) * (cx + cy). Here every application is timed and
// counted: `iterations` applications, reference norm 2 * iterations, and the rate
// PRK's way, flops = (2 * (4R + 1) + 1) * (n - 2R)^2 * iterations. PRK's
// `stencil k` therefore verifies the same norm as iterations = k + 1 here.
//
// Every point's sum is formed in one fixed order (k = 1 .. R; for each k west,
// east, north, south; then added to OUT) by every kernel, whatever the block or
// tile it belongs to, so OUT is bit-identical for any decomposition. The norm is
// summed row by row, each row left to right and the rows top to bottom
// (row_sum, norm_of_rows), so it is bit-identical for any decomposition too.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/range.hpp"

namespace pardemo::core::stencil {

inline constexpr int kMaxRadius = 8;
inline constexpr std::uint64_t kMaxPoints = 1ULL << 30;
inline constexpr int kDefaultRadius = 2;

struct Params {
  std::uint64_t n = 0;  // grid points per side
  int radius = kDefaultRadius;
  std::uint64_t iterations = 0;
};

// Empty when `p` is usable, otherwise one line naming the bad value.
std::string validate(const Params& p);

struct ClassInfo {
  char name;
  Params params;
};
// Classes S (n = 1000, 10 iterations), W (4000, 20), A (8000, 20),
// B (16000, 20), C (32000, 20); radius 2.
const std::vector<ClassInfo>& classes();
std::optional<Params> find_class(char name);
inline constexpr char kDefaultClass = 'W';

// The interior points along one side: [R, n - R).
constexpr Range interior(const Params& p) {
  const auto r = static_cast<std::uint64_t>(p.radius);
  return {r, p.n - r};
}
constexpr std::uint64_t interior_points(const Params& p) { return interior(p).size() * interior(p).size(); }

// PRK's count: (2 * stencil size + 1) flops per interior point per application.
constexpr double flops(const Params& p) {
  const auto size = static_cast<double>(4 * p.radius + 1);
  return (2 * size + 1) * static_cast<double>(interior_points(p)) * static_cast<double>(p.iterations);
}

// The closed form of the norm after p.iterations applications.
constexpr double reference_norm(const Params& p) { return 2.0 * static_cast<double>(p.iterations); }

// weight(k) = +1/(2kR) on the east and south arms, -weight(k) on the west and
// north arms, k = 1 .. R. east[0] and west[0] (the centre) are 0.
struct Weights {
  int radius = 0;
  std::array<double, kMaxRadius + 1> east{};  // +x and +y
  std::array<double, kMaxRadius + 1> west{};  // -x and -y
};
Weights weights(int radius);

// A local array: `rows` x `cols` owned points surrounded by `ghost` cells on
// every side, row-major. IN and OUT use the same layout.
struct Layout {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::size_t ghost = 0;

  [[nodiscard]] constexpr std::size_t stride() const { return cols + 2 * ghost; }
  [[nodiscard]] constexpr std::size_t size() const { return (rows + 2 * ghost) * stride(); }
  // Index of owned point (r, c); ghosts lie at r or c in [-ghost, 0) and beyond the end.
  [[nodiscard]] constexpr std::size_t at(std::size_t r, std::size_t c) const {
    return (r + ghost) * stride() + c + ghost;
  }
};

// A sub-rectangle of the owned points: rows [row0, row0 + rows), cols [col0, col0 + cols).
struct Tile {
  std::size_t row0 = 0;
  std::size_t rows = 0;
  std::size_t col0 = 0;
  std::size_t cols = 0;

  [[nodiscard]] constexpr bool empty() const { return rows == 0 || cols == 0; }
  friend constexpr bool operator==(const Tile&, const Tile&) = default;
};

// The part of `t` inside rows [r.begin, r.end) and cols [c.begin, c.end).
Tile clip(const Tile& t, Range r, Range c);

// OUT += stencil(IN) over `tile`. IN must hold valid values R cells around the
// tile (owned points or filled ghosts): throws std::invalid_argument when the
// tile's neighbourhood leaves the array or the spans are shorter than the layout.
// Radii 1 .. 4 run a kernel with the radius unrolled at compile time; larger
// radii a generic kernel that sweeps one arm at a time over a row buffer (the
// same operations per point, in the same order).
void apply(const Weights& w, std::span<const double> in, std::span<double> out, const Layout& layout, const Tile& tile);
// The generic kernel for every radius, for tests and measurements.
void apply_generic(const Weights& w, std::span<const double> in, std::span<double> out, const Layout& layout,
                   const Tile& tile);

// IN += 1 over `tile`.
void increment(std::span<double> in, const Layout& layout, const Tile& tile);

// apply() over `tile` and increment() over `fresh` in one sweep: each row of
// `fresh` is incremented as soon as the tile's last row that reads it is done,
// while it is still in cache, instead of in a second pass over the whole array.
// The result is the same as apply() then increment(); only memory traffic is
// saved (IN is read once per iteration instead of twice). Rows of `fresh` the
// tile never reads are incremented after the sweep. The caller guarantees that
// nothing else reads `fresh` during the call (no other thread's tile, no
// message in flight). Throws as apply() and increment() do.
void apply_and_increment(const Weights& w, std::span<double> in, std::span<double> out, const Layout& layout,
                         const Tile& tile, const Tile& fresh);

// The points of `outer` not in `inner` (a sub-rectangle of it, possibly empty)
// as up to four tiles: the rows above and below `inner` across the whole width,
// then the columns left and right of it along its rows. Empty tiles are left out.
std::vector<Tile> frame(const Tile& outer, const Tile& inner);

// IN(r, c) = (row0 + r) + (col0 + c) over `tile`, where (row0, col0) is the
// global index of owned point (0, 0). Ghosts are left alone.
void initialize(std::span<double> in, const Layout& layout, const Tile& tile, std::uint64_t row0, std::uint64_t col0);

// start + |OUT(r, c0)| + |OUT(r, c0 + 1)| + ..., added left to right over
// `cols` (the columns [c0, c0 + cols) of owned row r). A row split between
// blocks is summed by passing one block's sum as the next block's start.
double row_sum(std::span<const double> out, const Layout& layout, std::size_t r, std::size_t c0, std::size_t cols,
               double start);

// The norm from the interior rows' sums, added top to bottom, divided by the
// interior size. row_sums[i] is the sum of global interior row R + i.
double norm_of_rows(std::span<const double> row_sums, const Params& p);

}  // namespace pardemo::core::stencil
