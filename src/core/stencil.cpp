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

template <int R>
void apply_unrolled(const double* in, double* out, const Layout& l, const Tile& t) {
  const auto stride = static_cast<std::ptrdiff_t>(l.stride());
  for (std::size_t r = t.row0; r < t.row0 + t.rows; ++r) {
    const std::size_t at = l.at(r, t.col0);
    row_unrolled<R>(in + at, out + at, static_cast<std::ptrdiff_t>(t.cols), stride,
                    std::make_integer_sequence<std::ptrdiff_t, R>{});
  }
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
  switch (w.radius) {
    case 1: apply_unrolled<1>(in.data(), out.data(), l, t); return;
    case 2: apply_unrolled<2>(in.data(), out.data(), l, t); return;
    case 3: apply_unrolled<3>(in.data(), out.data(), l, t); return;
    case 4: apply_unrolled<4>(in.data(), out.data(), l, t); return;
    default: apply_generic(w, in, out, l, t); return;
  }
}

void increment(std::span<double> in, const Layout& l, const Tile& t) {
  if (in.size() < l.size() || t.row0 + t.rows > l.rows || t.col0 + t.cols > l.cols)
    throw std::invalid_argument("stencil::increment: tile outside the array");
  for (std::size_t r = t.row0; r < t.row0 + t.rows; ++r) {
    double* row = in.data() + l.at(r, t.col0);
    for (std::size_t j = 0; j < t.cols; ++j) row[j] += 1.0;
  }
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
