// The pieces of the star stencil, each on its own: weights, the kernels against
// a straightforward loop, the closed form of the norm, the parameter check.
#include "core/stencil.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace pardemo::core::stencil {
namespace {

// The stencil as the definition reads, one point at a time, in the documented
// order (k = 1 .. R; west, east, north, south): the kernels must match it bit for bit.
void reference_apply(const Weights& w, const std::vector<double>& in, std::vector<double>& out, const Layout& l,
                     const Tile& t) {
  const auto stride = static_cast<std::ptrdiff_t>(l.stride());
  for (std::size_t r = t.row0; r < t.row0 + t.rows; ++r)
    for (std::size_t c = t.col0; c < t.col0 + t.cols; ++c) {
      const auto at = static_cast<std::ptrdiff_t>(l.at(r, c));
      double s = 0.0;
      for (std::ptrdiff_t k = 1; k <= w.radius; ++k) {
        const auto i = static_cast<std::size_t>(k);
        s += w.west[i] * in[static_cast<std::size_t>(at - k)];
        s += w.east[i] * in[static_cast<std::size_t>(at + k)];
        s += w.west[i] * in[static_cast<std::size_t>(at - k * stride)];
        s += w.east[i] * in[static_cast<std::size_t>(at + k * stride)];
      }
      out[static_cast<std::size_t>(at)] += s;
    }
}

// A grid with pseudo-random values everywhere (ghosts included).
std::vector<double> noise(const Layout& l, unsigned seed) {
  std::vector<double> v(l.size());
  std::uint64_t x = seed;
  for (auto& d : v) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    d = static_cast<double>(x >> 11) / 9007199254740992.0 - 0.5;
  }
  return v;
}

// The whole run on one grid, serially: the norm after p.iterations.
double serial_norm(const Params& p, bool generic) {
  const Layout l{p.n, p.n, 0};
  std::vector<double> in(l.size()), out(l.size(), 0.0);
  const Tile all{0, p.n, 0, p.n};
  initialize(in, l, all, 0, 0);
  const Range ir = interior(p);
  const Tile inside = clip(all, ir, ir);
  const Weights w = weights(p.radius);
  for (std::uint64_t it = 0; it < p.iterations; ++it) {
    if (generic)
      apply_generic(w, in, out, l, inside);
    else
      apply(w, in, out, l, inside);
    increment(in, l, all);
  }
  std::vector<double> sums;
  for (std::uint64_t r = ir.begin; r < ir.end; ++r) sums.push_back(row_sum(out, l, r, ir.begin, ir.size(), 0.0));
  return norm_of_rows(sums, p);
}

TEST(StencilTest, WeightsArePrks) {
  for (int r = 1; r <= kMaxRadius; ++r) {
    const Weights w = weights(r);
    EXPECT_EQ(w.radius, r);
    EXPECT_EQ(w.east[0], 0.0);
    EXPECT_EQ(w.west[0], 0.0);
    double sum = 0, moment = 0;
    for (int k = 1; k <= r; ++k) {
      const auto i = static_cast<std::size_t>(k);
      EXPECT_EQ(w.east[i], 1.0 / (2.0 * k * r)) << "r=" << r << " k=" << k;
      EXPECT_EQ(w.west[i], -w.east[i]);
      sum += w.east[i] + w.west[i];
      moment += k * (w.east[i] - w.west[i]);  // the derivative of a linear function: exactly 1
    }
    EXPECT_EQ(sum, 0.0) << "antisymmetric: a constant gives 0";
    EXPECT_NEAR(moment, 1.0, 1e-15) << "r=" << r;
    for (std::size_t k = static_cast<std::size_t>(r) + 1; k <= kMaxRadius; ++k) EXPECT_EQ(w.east[k], 0.0);
  }
  EXPECT_THROW(weights(0), std::invalid_argument);
  EXPECT_THROW(weights(kMaxRadius + 1), std::invalid_argument);
}

TEST(StencilTest, KernelsEqualTheReferenceLoopBitForBit) {
  for (int r = 1; r <= kMaxRadius; ++r) {
    for (std::size_t ghost : {static_cast<std::size_t>(r), std::size_t{0}}) {
      const Layout l{23, 19, ghost};
      const std::size_t margin = ghost >= static_cast<std::size_t>(r) ? 0 : static_cast<std::size_t>(r);
      const Tile t{margin, l.rows - 2 * margin, margin, l.cols - 2 * margin};
      const std::vector<double> in = noise(l, static_cast<unsigned>(r));
      std::vector<double> expected = noise(l, 99);
      std::vector<double> fast = expected, generic = expected;
      const Weights w = weights(r);
      reference_apply(w, in, expected, l, t);
      apply(w, in, fast, l, t);
      apply_generic(w, in, generic, l, t);
      EXPECT_EQ(fast, expected) << "r=" << r << " ghost=" << ghost;
      EXPECT_EQ(generic, expected) << "r=" << r << " ghost=" << ghost;
    }
  }
}

TEST(StencilTest, KernelTouchesOnlyTheTile) {
  const Layout l{12, 10, 2};
  const std::vector<double> in = noise(l, 5);
  std::vector<double> out(l.size(), 0.0);
  const Tile t{3, 4, 2, 5};
  apply(weights(2), in, out, l, t);
  for (std::size_t r = 0; r < l.rows; ++r)
    for (std::size_t c = 0; c < l.cols; ++c) {
      const bool inside = r >= 3 && r < 7 && c >= 2 && c < 7;
      if (!inside) {
        EXPECT_EQ(out[l.at(r, c)], 0.0) << r << "," << c;
      }
    }
}

TEST(StencilTest, KernelRejectsTilesThatReachBeyondTheArray) {
  const Layout l{10, 10, 1};
  std::vector<double> in(l.size()), out(l.size());
  const Weights w = weights(2);
  EXPECT_THROW(apply(w, in, out, l, Tile{0, 5, 1, 5}), std::invalid_argument);  // 2 rows up, 1 ghost
  EXPECT_THROW(apply(w, in, out, l, Tile{1, 5, 1, 9}), std::invalid_argument);  // beyond the right edge
  EXPECT_NO_THROW(apply(w, in, out, l, Tile{1, 8, 1, 8}));
  std::vector<double> short_in(l.size() - 1);
  EXPECT_THROW(apply(w, short_in, out, l, Tile{1, 1, 1, 1}), std::invalid_argument);
}

TEST(StencilTest, ClosedFormAfterOneAndFiveIterations) {
  for (std::uint64_t it : {1U, 5U}) {
    for (int r : {1, 2, 3, 5}) {
      for (std::uint64_t n :
           {2 * static_cast<std::uint64_t>(r) + 1, std::uint64_t{17}, std::uint64_t{64}, std::uint64_t{101}}) {
        const Params p{n, r, it};
        const double expected = reference_norm(p);
        EXPECT_EQ(expected, 2.0 * static_cast<double>(it));
        EXPECT_NEAR(serial_norm(p, false), expected, 1e-8 * expected) << "n=" << n << " r=" << r << " it=" << it;
        EXPECT_EQ(serial_norm(p, false), serial_norm(p, true)) << "n=" << n << " r=" << r;
      }
    }
  }
}

TEST(StencilTest, EveryInteriorPointGetsTwoPerIteration) {
  const Params p{20, 3, 4};
  const Layout l{p.n, p.n, 0};
  std::vector<double> in(l.size()), out(l.size(), 0.0);
  const Tile all{0, p.n, 0, p.n};
  initialize(in, l, all, 0, 0);
  EXPECT_EQ(in[l.at(7, 11)], 18.0);
  const Range ir = interior(p);
  for (std::uint64_t i = 0; i < p.iterations; ++i) {
    apply(weights(p.radius), in, out, l, clip(all, ir, ir));
    increment(in, l, all);
  }
  EXPECT_EQ(in[l.at(7, 11)], 22.0);
  for (std::size_t r = 0; r < p.n; ++r)
    for (std::size_t c = 0; c < p.n; ++c) {
      const bool inside = r >= 3 && r < 17 && c >= 3 && c < 17;
      EXPECT_NEAR(out[l.at(r, c)], inside ? 8.0 : 0.0, 1e-12) << r << "," << c;
    }
}

TEST(StencilTest, RowSumsContinueAcrossBlocks) {
  const Layout l{3, 9, 1};
  std::vector<double> out = noise(l, 3);
  const double whole = row_sum(out, l, 1, 2, 6, 0.0);
  const double pieced = row_sum(out, l, 1, 5, 3, row_sum(out, l, 1, 2, 3, 0.0));
  EXPECT_EQ(whole, pieced);
  EXPECT_GT(whole, 0.0);
  EXPECT_THROW(row_sum(out, l, 3, 0, 1, 0.0), std::invalid_argument);
  const Params p{6, 1, 1};
  EXPECT_EQ(norm_of_rows(std::vector<double>{1, 2, 3, 10}, p), 16.0 / 16.0);
  EXPECT_THROW(norm_of_rows(std::vector<double>{1, 2}, p), std::invalid_argument);
}

TEST(StencilTest, ClipAndCounts) {
  const Tile t{2, 5, 3, 4};
  EXPECT_EQ(clip(t, {0, 100}, {0, 100}), t);
  EXPECT_EQ(clip(t, {4, 6}, {0, 5}), (Tile{4, 2, 3, 2}));
  EXPECT_TRUE(clip(t, {10, 12}, {0, 100}).empty());
  const Params p{4000, 2, 10};
  EXPECT_EQ(interior_points(p), 3996ULL * 3996ULL);
  EXPECT_EQ(flops(p), 19.0 * 3996.0 * 3996.0 * 10.0);
}

// apply_and_increment of tile t with the increment of f, from noise, bit for
// bit against the reference loop over t followed by IN += 1 over f.
void expect_fused_sweep_as_reference(int r, const Layout& l, const Tile& t, const Tile& f, unsigned seed) {
  const std::vector<double> start = noise(l, seed);
  const std::vector<double> out0 = noise(l, 42);
  std::vector<double> in_ref = start, out_ref = out0;
  reference_apply(weights(r), in_ref, out_ref, l, t);
  for (std::size_t i = f.row0; i < f.row0 + f.rows; ++i)
    for (std::size_t j = f.col0; j < f.col0 + f.cols; ++j) in_ref[l.at(i, j)] += 1.0;
  std::vector<double> in = start, out = out0;
  apply_and_increment(weights(r), in, out, l, t, f);
  const auto what = [&] {
    return "r=" + std::to_string(r) + " tile " + std::to_string(t.row0) + "+" + std::to_string(t.rows) + " x " +
           std::to_string(t.col0) + "+" + std::to_string(t.cols) + ", fresh " + std::to_string(f.row0) + "+" +
           std::to_string(f.rows) + " x " + std::to_string(f.col0) + "+" + std::to_string(f.cols);
  };
  EXPECT_EQ(out, out_ref) << what();
  EXPECT_EQ(in, in_ref) << what();
}

// The fused sweep against the two passes it replaces, with the increment
// written out as its own loop: OUT and IN bit for bit, for fresh regions inside,
// overlapping, around and beyond the tile, every radius (1 .. 4 unrolled, the
// rest generic), and the empty cases.
TEST(StencilTest, FusedSweepEqualsApplyThenIncrement) {
  for (int r = 1; r <= kMaxRadius; ++r) {
    const auto rr = static_cast<std::size_t>(r);
    const Layout l{31, 17, rr};
    const Tile whole{0, l.rows, 0, l.cols};
    const std::vector<Tile> tiles{whole, Tile{3, 20, 2, 9}, Tile{0, 1, 0, 17}, Tile{5, 0, 0, 17}};
    const std::vector<Tile> freshes{
        whole, Tile{rr, l.rows - 2 * rr, 0, l.cols}, Tile{7, 5, 3, 11}, Tile{0, 2, 0, 17}, Tile{29, 2, 1, 3}, Tile{}};
    for (const Tile& t : tiles)
      for (const Tile& f : freshes) expect_fused_sweep_as_reference(r, l, t, f, static_cast<unsigned>(r) + 7);
  }
  const Layout l{10, 10, 2};
  std::vector<double> in(l.size()), out(l.size());
  EXPECT_THROW(apply_and_increment(weights(2), in, out, l, Tile{2, 6, 2, 6}, Tile{0, 11, 0, 10}),
               std::invalid_argument);
  EXPECT_THROW(apply_and_increment(weights(3), in, out, l, Tile{0, 6, 2, 6}, Tile{}), std::invalid_argument);
}

// Tiles of 1024 columns or more are swept two rows at a time: odd and even row
// counts, tiles just below and above that width, with and without the fused
// increment, against the reference loop bit for bit.
TEST(StencilTest, WideTilesSweptTwoRowsAtATimeGiveTheSameBits) {
  for (int r = 1; r <= 4; ++r) {
    const auto rr = static_cast<std::size_t>(r);
    const Layout l{13, 1100, rr};
    const Tile whole{0, l.rows, 0, l.cols};
    for (const Tile& t : {whole, Tile{1, 10, 3, 1030}, Tile{2, 7, 0, 1023}, Tile{4, 1, 0, 1100}}) {
      for (const Tile& f : {Tile{}, whole, Tile{rr, l.rows - 2 * rr, 0, l.cols}, Tile{3, 4, 5, 1050}})
        expect_fused_sweep_as_reference(r, l, t, f, static_cast<unsigned>(r) + 11);
      std::vector<double> out = noise(l, 44);
      std::vector<double> out_ref = out;
      const std::vector<double> in = noise(l, 45);
      reference_apply(weights(r), in, out_ref, l, t);
      apply(weights(r), in, out, l, t);
      EXPECT_EQ(out, out_ref) << "apply, r=" << r << " tile rows " << t.rows << " cols " << t.cols;
    }
  }
}

TEST(StencilTest, FrameCoversTheOuterTileOnceWithoutTheInner) {
  const Tile outer{2, 9, 1, 7};
  for (const Tile& inner : {Tile{4, 3, 3, 2}, Tile{2, 9, 1, 7}, Tile{2, 2, 1, 7}, Tile{5, 6, 4, 4}, Tile{}}) {
    std::vector<int> seen(20 * 20, 0);
    for (const Tile& p : frame(outer, inner)) {
      EXPECT_FALSE(p.empty());
      for (std::size_t i = p.row0; i < p.row0 + p.rows; ++i)
        for (std::size_t j = p.col0; j < p.col0 + p.cols; ++j) ++seen[i * 20 + j];
    }
    for (std::size_t i = 0; i < 20; ++i)
      for (std::size_t j = 0; j < 20; ++j) {
        const bool in_outer = i >= 2 && i < 11 && j >= 1 && j < 8;
        const bool in_inner = !inner.empty() && i >= inner.row0 && i < inner.row0 + inner.rows && j >= inner.col0 &&
                              j < inner.col0 + inner.cols;
        EXPECT_EQ(seen[i * 20 + j], in_outer && !in_inner ? 1 : 0) << i << "," << j;
      }
  }
  EXPECT_THROW(frame(outer, Tile{1, 3, 1, 3}), std::invalid_argument);
}

TEST(StencilTest, ValidateNamesTheBadValue) {
  EXPECT_EQ(validate({1000, 2, 10}), "");
  EXPECT_EQ(validate({5, 2, 1}), "");
  EXPECT_NE(validate({4, 2, 1}).find("n must be more than 2 * radius = 4"), std::string::npos);
  EXPECT_NE(validate({100, 0, 1}).find("radius must be 1 .. 8 (got 0)"), std::string::npos);
  EXPECT_NE(validate({100, 9, 1}).find("radius must be 1 .. 8 (got 9)"), std::string::npos);
  EXPECT_NE(validate({100, 2, 0}).find("iterations must be at least 1"), std::string::npos);
  EXPECT_EQ(validate({32768, 2, 1}), "");  // exactly 2^30 points
  EXPECT_NE(validate({32769, 2, 1}).find("2^30"), std::string::npos);
  for (const auto& c : classes()) {
    EXPECT_EQ(validate(c.params), "") << c.name;
    EXPECT_EQ(find_class(c.name)->n, c.params.n);
  }
  EXPECT_EQ(find_class('W')->n, 4000U);
  EXPECT_FALSE(find_class('Z').has_value());
  EXPECT_TRUE(find_class(kDefaultClass).has_value());
  for (const auto& m : {validate({4, 2, 1}), validate({100, 0, 1}), validate({100, 2, 0}), validate({40000, 2, 1})})
    EXPECT_EQ(m.find('\n'), std::string::npos) << "one line: " << m;
}

}  // namespace
}  // namespace pardemo::core::stencil
