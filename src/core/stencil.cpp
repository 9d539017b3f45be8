#include "core/stencil.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace pardemo::core::stencil {

std::string validate(const Params& p) {
  if (p.radius < 1 || p.radius > kMaxRadius)
    return "radius must be 1 .. " + std::to_string(kMaxRadius) + " (got " + std::to_string(p.radius) + ")";
  const auto two_r = 2 * static_cast<std::uint64_t>(p.radius);
  if (p.n <= two_r)
    return "n must be more than 2 * radius = " + std::to_string(two_r) + ", so the grid has an interior (got " +
           std::to_string(p.n) + ")";
  if (p.n > kMaxPoints / p.n) return "n * n must be at most 2^30 points (got n = " + std::to_string(p.n) + ")";
  if (p.iterations == 0) return "iterations must be at least 1 (got 0)";
  return {};
}

const std::vector<ClassInfo>& classes() {
  static const std::vector<ClassInfo> table = {
      {'S', {1000, kDefaultRadius, 10}},  {'W', {4000, kDefaultRadius, 20}},  {'A', {8000, kDefaultRadius, 20}},
      {'B', {16000, kDefaultRadius, 20}}, {'C', {32000, kDefaultRadius, 20}},
  };
  return table;
}

std::optional<Params> find_class(char name) {
  for (const auto& c : classes())
    if (c.name == name) return c.params;
  return std::nullopt;
}

Weights weights(int radius) {
  if (radius < 1 || radius > kMaxRadius) throw std::invalid_argument("stencil::weights: radius out of range");
  Weights w;
  w.radius = radius;
  for (int k = 1; k <= radius; ++k) {
    const auto i = static_cast<std::size_t>(k);
    w.east[i] = 1.0 / (2.0 * k * radius);
    w.west[i] = -w.east[i];
  }
  return w;
}

Tile clip(const Tile& t, Range r, Range c) {
  const std::size_t r0 = std::max<std::size_t>(t.row0, r.begin);
  const std::size_t r1 = std::min<std::size_t>(t.row0 + t.rows, r.end);
  const std::size_t c0 = std::max<std::size_t>(t.col0, c.begin);
  const std::size_t c1 = std::min<std::size_t>(t.col0 + t.cols, c.end);
  if (r1 <= r0 || c1 <= c0) return {r0, 0, c0, 0};
  return {r0, r1 - r0, c0, c1 - c0};
}

namespace {

void check(const Weights& w, std::span<const double> in, std::span<double> out, const Layout& l, const Tile& t) {
  const auto r = static_cast<std::size_t>(w.radius);
  if (in.size() < l.size() || out.size() < l.size())
    throw std::invalid_argument("stencil::apply: arrays shorter than the layout");
  if (t.row0 + t.rows > l.rows || t.col0 + t.cols > l.cols)
    throw std::invalid_argument("stencil::apply: tile outside the owned points");
  if (t.row0 + l.ghost < r || t.col0 + l.ghost < r || t.row0 + t.rows + r > l.rows + l.ghost ||
      t.col0 + t.cols + r > l.cols + l.ghost)
    throw std::invalid_argument("stencil::apply: the tile's neighbourhood leaves the array (radius " +
                                std::to_string(r) + ", ghost " + std::to_string(l.ghost) + ")");
}

// The weights as compile-time constants: 1.0 / (2.0 * k * R) folds to the same
// double the run-time division gives, so both kernels use identical weights.
template <int R>
constexpr double east_weight(std::ptrdiff_t k) {
  return 1.0 / (2.0 * static_cast<double>(k) * R);
}

// One row of the unrolled kernel: every arm of every point, k = 1 .. R, in the
// documented order. The fold over k unrolls the radius so GCC vectorises the
// loop over j (measured: the loop is vectorised with 16-byte vectors at -O3
// without -march).
template <int R, std::ptrdiff_t... K>
inline void row_unrolled(const double* __restrict c, double* __restrict o, std::ptrdiff_t cols, std::ptrdiff_t stride,
                         std::integer_sequence<std::ptrdiff_t, K...> /*ks*/) {
  for (std::ptrdiff_t j = 0; j < cols; ++j) {
    double s = 0.0;
    ((s += -east_weight<R>(K + 1) * c[j - (K + 1)], s += east_weight<R>(K + 1) * c[j + (K + 1)],
      s += -east_weight<R>(K + 1) * c[j - (K + 1) * stride], s += east_weight<R>(K + 1) * c[j + (K + 1) * stride]),
     ...);
    o[j] += s;
  }
}

// Two neighbouring rows of the unrolled kernel in one pass over j: row 0 at c
// and o, row 1 a stride further on. Each point gets the same operations in the
// same order as from row_unrolled, so the results are the same bits; the two
// rows share the loads of the IN rows both read, and four streams of memory
// move at once instead of two. The terms are written out for both rows rather
// than taken from one per-point helper called twice: with such a helper GCC
// stopped vectorising this loop (serial, n = 2000: about 8,300 MFlop/s
// against 18,300).
template <int R, std::ptrdiff_t... K>
inline void rows_unrolled(const double* __restrict c, double* __restrict o, std::ptrdiff_t cols, std::ptrdiff_t stride,
                          std::integer_sequence<std::ptrdiff_t, K...> /*ks*/) {
  const double* __restrict c1 = c + stride;
  double* __restrict o1 = o + stride;
  for (std::ptrdiff_t j = 0; j < cols; ++j) {
    double s = 0.0;
    double t = 0.0;
    ((s += -east_weight<R>(K + 1) * c[j - (K + 1)], s += east_weight<R>(K + 1) * c[j + (K + 1)],
      s += -east_weight<R>(K + 1) * c[j - (K + 1) * stride], s += east_weight<R>(K + 1) * c[j + (K + 1) * stride],
      t += -east_weight<R>(K + 1) * c1[j - (K + 1)], t += east_weight<R>(K + 1) * c1[j + (K + 1)],
      t += -east_weight<R>(K + 1) * c1[j - (K + 1) * stride], t += east_weight<R>(K + 1) * c1[j + (K + 1) * stride]),
     ...);
    o[j] += s;
    o1[j] += t;
  }
}

// Tiles at least this wide are swept two rows at a time (rows_unrolled).
// Measured on the 2-core Intel Xeon VM, serial, R = 2, AVX-512: two rows at a
// time were 11% faster at n = 2000 (about 17,900 against 19,900 MFlop/s) and
// 10-20% at n = 4000, where the grid streams from memory, but 5-10% slower at
// n = 500 and 1000, where it stays in cache; the cross-over lay between n = 1000
// and 1250.
constexpr std::size_t kPairMinCols = 1024;

void increment_row(double* row, std::size_t cols) {
  for (std::size_t j = 0; j < cols; ++j) row[j] += 1.0;
}

// The rows of `fresh` still to increment after the sweep of `tile` (rows
// row0 .. last) that incremented row r - R after each row r: those the sweep
// never passed R rows beyond.
void increment_rest(double* in, const Layout& l, const Tile& tile, const Tile& fresh, std::size_t radius) {
  for (std::size_t q = fresh.row0; q < fresh.row0 + fresh.rows; ++q) {
    const bool done = q + radius >= tile.row0 && q + radius < tile.row0 + tile.rows;
    if (!done) increment_row(in + l.at(q, fresh.col0), fresh.cols);
  }
}

// Every row of the tile; with `fresh` non-empty, after row r the row r - R of
// `fresh` is incremented (the last row that reads it is r). The kernel is
// compiled for several instruction sets (target_clones in the callers) and
// picked at load time for the CPU it runs on; with -ffp-contract=off and no
// FMA in any of them, every version does the same IEEE operations in the same
// order, so the results are bit-identical on every machine.
template <int R>
[[gnu::always_inline]] inline void sweep_unrolled(const double* in_c, double* in, double* out, const Layout& l,
                                                  const Tile& t, const Tile& fresh) {
  const auto stride = static_cast<std::ptrdiff_t>(l.stride());
  const auto cols = static_cast<std::ptrdiff_t>(t.cols);
  constexpr auto ks = std::make_integer_sequence<std::ptrdiff_t, R>{};
  // After row r: row r - R of `fresh`, which no later row reads.
  const auto done_with = [&](std::size_t r) {
    if (fresh.empty() || r < static_cast<std::size_t>(R)) return;
    const std::size_t q = r - static_cast<std::size_t>(R);
    if (q >= fresh.row0 && q < fresh.row0 + fresh.rows) increment_row(in + l.at(q, fresh.col0), fresh.cols);
  };
  const std::size_t end = t.row0 + t.rows;
  std::size_t r = t.row0;
  if (t.cols >= kPairMinCols) {
    for (; r + 1 < end; r += 2) {
      const std::size_t at = l.at(r, t.col0);
      rows_unrolled<R>(in_c + at, out + at, cols, stride, ks);
      done_with(r);
      done_with(r + 1);
    }
  }
  for (; r < end; ++r) {
    const std::size_t at = l.at(r, t.col0);
    row_unrolled<R>(in_c + at, out + at, cols, stride, ks);
    done_with(r);
  }
  if (!fresh.empty()) increment_rest(in, l, t, fresh, static_cast<std::size_t>(R));
}

// Under ThreadSanitizer the load-time resolver that picks a clone runs, already
// instrumented, before the sanitizer's runtime is up, and the program crashes at
// start: a TSan build keeps the baseline kernel only.
#if defined(__SANITIZE_THREAD__)
#define PARDEMO_STENCIL_CLONES
#else
#define PARDEMO_STENCIL_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif

PARDEMO_STENCIL_CLONES void sweep_r1(const double* c, double* in, double* out, const Layout& l, const Tile& t,
                                     const Tile& f) {
  sweep_unrolled<1>(c, in, out, l, t, f);
}
PARDEMO_STENCIL_CLONES void sweep_r2(const double* c, double* in, double* out, const Layout& l, const Tile& t,
                                     const Tile& f) {
  sweep_unrolled<2>(c, in, out, l, t, f);
}
PARDEMO_STENCIL_CLONES void sweep_r3(const double* c, double* in, double* out, const Layout& l, const Tile& t,
                                     const Tile& f) {
  sweep_unrolled<3>(c, in, out, l, t, f);
}
PARDEMO_STENCIL_CLONES void sweep_r4(const double* c, double* in, double* out, const Layout& l, const Tile& t,
                                     const Tile& f) {
  sweep_unrolled<4>(c, in, out, l, t, f);
}

#undef PARDEMO_STENCIL_CLONES

// Radii 1 .. 4 unrolled; false for the others.
// `in_mut` is `in` when `fresh` is to be incremented, otherwise null (and
// `fresh` empty): IN is then only read.
bool sweep(int radius, const double* in, double* in_mut, double* out, const Layout& l, const Tile& t,
           const Tile& fresh) {
  switch (radius) {
    case 1: sweep_r1(in, in_mut, out, l, t, fresh); return true;
    case 2: sweep_r2(in, in_mut, out, l, t, fresh); return true;
    case 3: sweep_r3(in, in_mut, out, l, t, fresh); return true;
    case 4: sweep_r4(in, in_mut, out, l, t, fresh); return true;
    default: return false;
  }
}

void check_increment(std::span<double> in, const Layout& l, const Tile& t) {
  if (in.size() < l.size() || t.row0 + t.rows > l.rows || t.col0 + t.cols > l.cols)
    throw std::invalid_argument("stencil::increment: tile outside the array");
}

}  // namespace

void apply_generic(const Weights& w, std::span<const double> in, std::span<double> out, const Layout& l,
                   const Tile& t) {
  check(w, in, out, l, t);
  if (t.empty()) return;
  const auto stride = static_cast<std::ptrdiff_t>(l.stride());
  const auto cols = static_cast<std::ptrdiff_t>(t.cols);
  std::vector<double> sum(t.cols);
  double* __restrict s = sum.data();
  for (std::size_t r = t.row0; r < t.row0 + t.rows; ++r) {
    const std::size_t at = l.at(r, t.col0);
    const double* __restrict c = in.data() + at;
    double* __restrict o = out.data() + at;
    for (std::ptrdiff_t j = 0; j < cols; ++j) s[j] = 0.0;
    for (std::ptrdiff_t k = 1; k <= w.radius; ++k) {
      const double we = w.east[static_cast<std::size_t>(k)];
      const double ww = w.west[static_cast<std::size_t>(k)];
      const std::ptrdiff_t up = k * stride;
      for (std::ptrdiff_t j = 0; j < cols; ++j) {
        double x = s[j];
        x += ww * c[j - k];
        x += we * c[j + k];
        x += ww * c[j - up];
        x += we * c[j + up];
        s[j] = x;
      }
    }
    for (std::ptrdiff_t j = 0; j < cols; ++j) o[j] += s[j];
  }
}

void apply(const Weights& w, std::span<const double> in, std::span<double> out, const Layout& l, const Tile& t) {
  check(w, in, out, l, t);
  if (t.empty()) return;
  if (!sweep(w.radius, in.data(), nullptr, out.data(), l, t, Tile{})) apply_generic(w, in, out, l, t);
}

void increment(std::span<double> in, const Layout& l, const Tile& t) {
  check_increment(in, l, t);
  for (std::size_t r = t.row0; r < t.row0 + t.rows; ++r) increment_row(in.data() + l.at(r, t.col0), t.cols);
}

void apply_and_increment(const Weights& w, std::span<double> in, std::span<double> out, const Layout& l,
                         const Tile& tile, const Tile& fresh) {
  check(w, in, out, l, tile);
  check_increment(in, l, fresh);
  if (tile.empty()) {
    increment(in, l, fresh);
    return;
  }
  if (sweep(w.radius, in.data(), in.data(), out.data(), l, tile, fresh)) return;
  apply_generic(w, in, out, l, tile);
  increment(in, l, fresh);
}

std::vector<Tile> frame(const Tile& outer, const Tile& inner) {
  if (inner.empty()) return outer.empty() ? std::vector<Tile>{} : std::vector<Tile>{outer};
  if (inner.row0 < outer.row0 || inner.col0 < outer.col0 || inner.row0 + inner.rows > outer.row0 + outer.rows ||
      inner.col0 + inner.cols > outer.col0 + outer.cols)
    throw std::invalid_argument("stencil::frame: inner tile outside the outer one");
  const std::array<Tile, 4> parts{
      Tile{outer.row0, inner.row0 - outer.row0, outer.col0, outer.cols},
      Tile{inner.row0 + inner.rows, outer.row0 + outer.rows - (inner.row0 + inner.rows), outer.col0, outer.cols},
      Tile{inner.row0, inner.rows, outer.col0, inner.col0 - outer.col0},
      Tile{inner.row0, inner.rows, inner.col0 + inner.cols, outer.col0 + outer.cols - (inner.col0 + inner.cols)}};
  std::vector<Tile> tiles;
  for (const Tile& p : parts)
    if (!p.empty()) tiles.push_back(p);
  return tiles;
}

void initialize(std::span<double> in, const Layout& l, const Tile& t, std::uint64_t row0, std::uint64_t col0) {
  if (in.size() < l.size() || t.row0 + t.rows > l.rows || t.col0 + t.cols > l.cols)
    throw std::invalid_argument("stencil::initialize: tile outside the array");
  for (std::size_t r = t.row0; r < t.row0 + t.rows; ++r) {
    double* row = in.data() + l.at(r, 0);
    for (std::size_t c = t.col0; c < t.col0 + t.cols; ++c) row[c] = static_cast<double>(row0 + r + col0 + c);
  }
}

double row_sum(std::span<const double> out, const Layout& l, std::size_t r, std::size_t c0, std::size_t cols,
               double start) {
  if (r >= l.rows || c0 + cols > l.cols || out.size() < l.size())
    throw std::invalid_argument("stencil::row_sum: outside the array");
  const double* row = out.data() + l.at(r, c0);
  double s = start;
  for (std::size_t j = 0; j < cols; ++j) s += std::fabs(row[j]);
  return s;
}

double norm_of_rows(std::span<const double> row_sums, const Params& p) {
  if (row_sums.size() != interior(p).size())
    throw std::invalid_argument("stencil::norm_of_rows: one sum per interior row");
  double total = 0.0;
  for (const double s : row_sums) total += s;
  return total / static_cast<double>(interior_points(p));
}

}  // namespace pardemo::core::stencil
