#include "core/mandelbrot.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

namespace pardemo::core::mandelbrot {
namespace {

static_assert(core::Workload<mandelbrot::Workload>);

std::vector<std::uint32_t> kernel_image(const Params& p) {
  const Workload w(p);
  return w.compute({0, w.items()}).iterations;
}

std::uint32_t at(const std::vector<std::uint32_t>& image, const Params& p, std::uint32_t px, std::uint32_t py) {
  return image[std::size_t{py} * p.width + px];
}

TEST(MandelbrotTest, KernelMatchesReferenceOnSmallImages) {
  // Widths that are and are not multiples of the kernel's lane count, windows
  // through the set, along its boundary and away from it.
  const std::vector<Params> cases{
      {1, 1, 50, -2.0, 0.5, -1.25, 1.25},        {7, 5, 100, -2.0, 0.5, -1.25, 1.25},
      {64, 48, 500, -2.0, 0.5, -1.25, 1.25},     {61, 37, 1000, -2.0, 0.5, -1.25, 0.0},
      {33, 17, 2000, -0.75, -0.74, 0.1, 0.11},   {40, 30, 300, -0.2, 0.1, 0.9, 1.2},
      {9, 9, 10, 10.0, 11.0, 10.0, 11.0},        {17, 3, 1, -2.0, 0.5, -1.25, 1.25},
      {101, 1, 700, -2.0, 0.5, -0.0001, 0.0001},
  };
  for (const Params& p : cases) {
    const auto expected = reference_image(p);
    ASSERT_EQ(expected.size(), std::size_t{p.width} * p.height);
    EXPECT_EQ(kernel_image(p), expected) << p.width << "x" << p.height << " max_iter " << p.max_iter << " window ["
                                         << p.x_min << ", " << p.x_max << "] x [" << p.y_min << ", " << p.y_max << "]";
  }
}

TEST(MandelbrotTest, AnyDecompositionGivesTheSameBits) {
  const Params p{203, 131, 600, -2.0, 0.5, -1.25, 0.0};
  const Workload w(p);
  const Result whole = w.finish(w.compute({0, w.items()}));
  const auto reference = Workload::fields(whole);
  for (std::uint64_t parts : {2ULL, 3ULL, 7ULL, 131ULL, 200ULL}) {
    for (Split split : {Split::block, Split::cyclic}) {
      std::vector<Piece<Partial>> pieces;
      for (std::uint64_t part = 0; part < parts; ++part)
        for (const Range r : assigned_ranges(w.items(), split, 5, parts, part)) pieces.push_back({r, w.compute(r)});
      const Result combined = combine(w, std::move(pieces));
      EXPECT_TRUE(identical(Workload::fields(combined), reference))
          << parts << " parts, split " << (split == Split::block ? "block" : "cyclic");
      EXPECT_EQ(combined.iterations, whole.iterations);
    }
  }
}

TEST(MandelbrotTest, MergeAppendsInOrder) {
  const Workload w({10, 6, 100, -2.0, 0.5, -1.25, 1.25});
  Partial acc = w.compute({0, 0});
  EXPECT_TRUE(acc.iterations.empty());
  for (std::uint64_t row = 0; row < w.items(); ++row) Workload::merge(acc, w.compute({row, row + 1}));
  EXPECT_EQ(acc.iterations, w.compute({0, w.items()}).iterations);
}

TEST(MandelbrotTest, ResultAndFields) {
  const Params p{20, 10, 100, -2.0, 0.5, -1.25, 1.25};
  const Workload w(p);
  const Result r = w.finish(w.compute({0, w.items()}));
  EXPECT_EQ(r.width, 20U);
  EXPECT_EQ(r.height, 10U);
  EXPECT_EQ(r.checksum, fnv1a(r.iterations));
  EXPECT_EQ(r.total_iterations, std::accumulate(r.iterations.begin(), r.iterations.end(), std::uint64_t{0}));
  const auto f = Workload::fields(r);
  ASSERT_EQ(f.size(), 4U);
  EXPECT_EQ(f[0].name, "checksum");
  EXPECT_EQ(std::get<std::uint64_t>(f[0].value), r.checksum);
  EXPECT_EQ(f[1].name, "total_iterations");
  EXPECT_EQ(std::get<std::uint64_t>(f[1].value), r.total_iterations);
  EXPECT_EQ(f[2].name, "width");
  EXPECT_EQ(std::get<std::uint64_t>(f[2].value), 20U);
  EXPECT_EQ(f[3].name, "height");
  EXPECT_EQ(std::get<std::uint64_t>(f[3].value), 10U);
  EXPECT_EQ(w.name(), "mandelbrot");
  EXPECT_EQ(w.items(), 10U);
  EXPECT_EQ(w.operations(), 200.0);
  const auto params = w.parameters();
  ASSERT_EQ(params.size(), 7U);
  EXPECT_EQ(params[2].name, "max_iter");
  EXPECT_EQ(std::get<std::uint64_t>(params[2].value), 100U);
  EXPECT_EQ(params[6].name, "y_max");
  EXPECT_EQ(std::get<double>(params[6].value), 1.25);
}

TEST(MandelbrotTest, VerifyPassesAndCatchesAWrongPixel) {
  const Workload w({48, 24, 300, -2.0, 0.5, -1.25, 0.0});
  const Result good = w.finish(w.compute({0, w.items()}));
  const Verification v = w.verify(good);
  EXPECT_TRUE(v.passed) << v.detail;
  EXPECT_EQ(v.reference, "straightforward serial reference image");
  EXPECT_NE(v.detail.find(std::to_string(good.checksum)), std::string::npos) << v.detail;
  EXPECT_NE(v.detail.find(std::to_string(good.total_iterations)), std::string::npos) << v.detail;

  // One pixel off by one changes both the checksum and the total.
  Partial bad_partial = w.compute({0, w.items()});
  bad_partial.iterations[100] += 1;
  const Result bad = w.finish(std::move(bad_partial));
  EXPECT_FALSE(w.verify(bad).passed);
  // Two pixels swapped keep the total but not the checksum.
  Partial swapped = w.compute({0, w.items()});
  std::size_t i = 0;
  while (swapped.iterations[i] == swapped.iterations[i + 1]) ++i;
  std::swap(swapped.iterations[i], swapped.iterations[i + 1]);
  const Result reordered = w.finish(std::move(swapped));
  EXPECT_EQ(reordered.total_iterations, good.total_iterations);
  EXPECT_FALSE(w.verify(reordered).passed);
}

TEST(MandelbrotTest, OriginReachesMaxIter) {
  // An odd size over a window symmetric about 0 puts the centre pixel on c = 0.
  const Params p{5, 7, 250, -1.0, 1.0, -1.5, 1.5};
  for (const auto& image : {kernel_image(p), reference_image(p)}) EXPECT_EQ(at(image, p, 2, 3), 250U);
}

TEST(MandelbrotTest, FarPointsEscapeAfterOneIteration) {
  // z1 = c with |c|^2 > 4: out after the first step.
  for (const Params& p : {Params{9, 5, 1000, 10.0, 11.0, 10.0, 11.0}, Params{3, 3, 1000, -100.0, -90.0, -5.0, 5.0},
                          Params{16, 1, 7, 2.01, 3.0, -0.001, 0.001}}) {
    for (const std::uint32_t n : kernel_image(p)) EXPECT_EQ(n, 1U);
  }
}

TEST(MandelbrotTest, KnownPoints) {
  // c = -1 cycles 0, -1, 0, -1 (inside); c = 1 goes 0, 1, 2, 5: |z3|^2 = 25 > 4
  // after three steps; c = -2 stays at 2 (|z|^2 = 4 is not > 4).
  const Params minus_one{1, 1, 300, -1.5, -0.5, -0.5, 0.5};
  const Params plus_one{1, 1, 300, 0.5, 1.5, -0.5, 0.5};
  const Params minus_two{1, 1, 300, -2.5, -1.5, -0.5, 0.5};
  EXPECT_EQ(kernel_image(minus_one)[0], 300U);
  EXPECT_EQ(kernel_image(plus_one)[0], 3U);
  EXPECT_EQ(kernel_image(minus_two)[0], 300U);
  EXPECT_EQ(reference_image(plus_one)[0], 3U);
}

TEST(MandelbrotTest, WindowSymmetricInYGivesAMirrorImage) {
  // A height of 64 over [-1.25, 1.25] puts every row centre on a short binary
  // fraction, so row py and row height-1-py have exactly opposite y.
  const Params p{90, 64, 800, -2.0, 0.5, -1.25, 1.25};
  const auto image = kernel_image(p);
  std::uint64_t mismatches = 0;
  for (std::uint32_t py = 0; py < p.height / 2; ++py)
    for (std::uint32_t px = 0; px < p.width; ++px)
      mismatches += at(image, p, px, py) != at(image, p, px, p.height - 1 - py) ? 1U : 0U;
  EXPECT_EQ(mismatches, 0U);
  // And the picture is not trivially uniform.
  EXPECT_NE(*std::min_element(image.begin(), image.end()), *std::max_element(image.begin(), image.end()));
}

TEST(MandelbrotTest, ClassWindowCostsMoreInItsTopHalf) {
  // The point of the class window: a block split of rows is badly unbalanced.
  Params p = *find_class('S');
  p.width /= 4;
  p.height /= 4;
  const auto image = kernel_image(p);
  const auto half = image.begin() + static_cast<std::ptrdiff_t>(std::size_t{p.width} * (p.height / 2));
  const auto top = std::accumulate(image.begin(), half, std::uint64_t{0});
  const auto bottom = std::accumulate(half, image.end(), std::uint64_t{0});
  EXPECT_GT(top, 5 * bottom);
}

TEST(MandelbrotTest, Classes) {
  ASSERT_EQ(classes().size(), 5U);
  std::uint64_t previous_work = 0;
  for (const auto& c : classes()) {
    EXPECT_EQ(validate(c.params), "") << c.name;
    EXPECT_EQ(find_class(c.name)->width, c.params.width);
    const std::uint64_t work = std::uint64_t{c.params.width} * c.params.height * c.params.max_iter;
    EXPECT_GT(work, previous_work) << c.name;
    previous_work = work;
  }
  EXPECT_TRUE(find_class(kDefaultClass).has_value());
  EXPECT_FALSE(find_class('Z').has_value());
}

TEST(MandelbrotTest, ValidateRejectsEachBadValueByName) {
  const Params good{100, 50, 100, -2.0, 0.5, -1.25, 1.25};
  EXPECT_EQ(validate(good), "");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    Params p;
    std::vector<std::string> mentions;
  };
  auto with = [&](auto change) {
    Params p = good;
    change(p);
    return p;
  };
  const std::vector<Case> cases{
      {with([](Params& p) { p.width = 0; }), {"width", "0"}},
      {with([](Params& p) { p.height = 0; }), {"height", "0"}},
      {with([](Params& p) { p.max_iter = 0; }), {"max_iter", "0"}},
      {with([&](Params& p) { p.x_min = nan; }), {"x_min", "nan"}},
      {with([&](Params& p) { p.x_max = inf; }), {"x_max", "inf"}},
      {with([&](Params& p) { p.y_min = -inf; }), {"y_min", "-inf"}},
      {with([&](Params& p) { p.y_max = nan; }), {"y_max", "nan"}},
      {with([](Params& p) { p.x_max = p.x_min; }), {"x_max", "x_min", "-2"}},
      {with([](Params& p) { p.x_max = -3.5; }), {"x_max", "-3.5"}},
      {with([](Params& p) { p.y_min = 1.25; }), {"y_min", "y_max", "1.25"}},
      {with([](Params& p) { p.y_min = 2.0; }), {"y_min", "2"}},
      {with([](Params& p) {
         p.x_min = -1e308;
         p.x_max = 1e308;
       }),
       {"x_max - x_min", "1e+308"}},
      {with([](Params& p) {
         p.width = 1U << 15;
         p.height = (1U << 13) + 1;
       }),
       {"268435456", "32768", "8193"}},
  };
  for (const auto& c : cases) {
    const std::string m = validate(c.p);
    EXPECT_FALSE(m.empty());
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    for (const auto& word : c.mentions) EXPECT_NE(m.find(word), std::string::npos) << "'" << m << "' lacks " << word;
    EXPECT_THROW(Workload{c.p}, std::invalid_argument) << m;
  }
  // Exactly 2^28 pixels is allowed.
  EXPECT_EQ(validate(with([](Params& p) {
              p.width = 1U << 15;
              p.height = 1U << 13;
            })),
            "");
}

TEST(MandelbrotTest, ComputeRejectsRowsOutsideTheImage) {
  const Workload w({10, 6, 100, -2.0, 0.5, -1.25, 1.25});
  EXPECT_THROW((void)w.compute({5, 7}), std::out_of_range);
  EXPECT_THROW((void)w.finish(w.compute({0, 5})), std::logic_error);
}

TEST(MandelbrotTest, Fnv1aByHand) {
  EXPECT_EQ(fnv1a({}), 14695981039346656037ULL);
  // The bytes of {1, 0x04030201} are 01 00 00 00 01 02 03 04 (little-endian):
  // h = offset; for each byte b: h = (h ^ b) * prime, mod 2^64.
  std::uint64_t h = 14695981039346656037ULL;
  for (const std::uint64_t b : {0x01U, 0x00U, 0x00U, 0x00U, 0x01U, 0x02U, 0x03U, 0x04U}) h = (h ^ b) * 1099511628211ULL;
  EXPECT_EQ(fnv1a({1, 0x04030201}), h);
  // The same, worked out once by hand (Python: h = ((h ^ b) * p) % 2**64).
  EXPECT_EQ(fnv1a({1, 0x04030201}), 0x186ab1316987fe98ULL);
  // One byte: FNV-1a("a") is the published 0xaf63dc4c8601ec8c; the value 0x61
  // contributes "a" then three zero bytes.
  std::uint64_t a = 0xaf63dc4c8601ec8cULL;
  for (int k = 0; k < 3; ++k) a *= 1099511628211ULL;
  EXPECT_EQ(fnv1a({0x61}), a);
}

}  // namespace
}  // namespace pardemo::core::mandelbrot
