#include "core/mandelbrot.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <stdexcept>
#include <system_error>

// The fast kernel and the reference must round alike, operation for operation.
// Where the target has fused multiply-add (-march=native on most machines) GCC
// fuses a*b + c by default (-ffp-contract=fast, even with -std=c++20), and would
// do so differently in the two loops: forbid it for this file.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace pardemo::core::mandelbrot {

namespace {

// Shortest text that reads back as the same double ("nan", "inf" included).
std::string show(double v) {
  std::array<char, 32> buf{};
  const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return res.ec == std::errc{} ? std::string(buf.data(), res.ptr) : std::string("?");
}

std::string check_finite(const char* name, double v) {
  return std::isfinite(v) ? std::string() : std::string(name) + " must be finite (got " + show(v) + ")";
}

}  // namespace

std::string validate(const Params& p) {
  if (p.width == 0) return "width must be at least 1 (got 0)";
  if (p.height == 0) return "height must be at least 1 (got 0)";
  if (p.max_iter == 0) return "max_iter must be at least 1 (got 0)";
  for (const auto& [name, v] : {std::pair{"x_min", p.x_min}, std::pair{"x_max", p.x_max}, std::pair{"y_min", p.y_min},
                                std::pair{"y_max", p.y_max}}) {
    if (auto m = check_finite(name, v); !m.empty()) return m;
  }
  if (!(p.x_min < p.x_max)) {
    return "window has no area: x_max " + show(p.x_max) + " must exceed x_min " + show(p.x_min);
  }
  if (!(p.y_min < p.y_max)) {
    return "window has no area: y_max " + show(p.y_max) + " must exceed y_min " + show(p.y_min);
  }
  // A window wider than the largest double would map every pixel to inf or nan.
  if (!std::isfinite(p.x_max - p.x_min)) {
    return "window too wide: x_max - x_min overflows (x_min " + show(p.x_min) + ", x_max " + show(p.x_max) + ")";
  }
  if (!std::isfinite(p.y_max - p.y_min)) {
    return "window too tall: y_max - y_min overflows (y_min " + show(p.y_min) + ", y_max " + show(p.y_max) + ")";
  }
  const std::uint64_t pixels = std::uint64_t{p.width} * p.height;
  if (pixels > kMaxPixels) {
    return "width * height = " + std::to_string(p.width) + " * " + std::to_string(p.height) + " = " +
           std::to_string(pixels) + " pixels exceeds the limit of " + std::to_string(kMaxPixels) + " (2^28)";
  }
  return {};
}

// Classes grow in pixels and in max_iter. Serial seconds of the fast kernel on the
// 2-core development machine: S 0.08, W 2.1-2.8, A 19, B 110, C about 500; verify()
// costs about 4x as much again, its reference going one pixel at a time. The
// window is the lower half of the set with the real axis along the top row: the
// top half of the rows holds most of the set and costs 10-18x the bottom half,
// so a block split over 2 workers is about 0.53 efficient.
const std::vector<ClassInfo>& classes() {
  static const std::vector<ClassInfo> table{
      {'S', {800, 400, 1000, -2.0, 0.5, -1.25, 0.0}},     {'W', {2400, 1200, 4000, -2.0, 0.5, -1.25, 0.0}},
      {'A', {4800, 2400, 8000, -2.0, 0.5, -1.25, 0.0}},   {'B', {8000, 4000, 16000, -2.0, 0.5, -1.25, 0.0}},
      {'C', {12000, 6000, 32000, -2.0, 0.5, -1.25, 0.0}},
  };
  return table;
}

std::optional<Params> find_class(char name) {
  for (const auto& c : classes())
    if (c.name == name) return c.params;
  return std::nullopt;
}

std::uint64_t fnv1a(const std::vector<std::uint32_t>& values) {
  constexpr std::uint64_t kOffset = 14695981039346656037ULL;
  constexpr std::uint64_t kPrime = 1099511628211ULL;
  std::uint64_t h = kOffset;
  for (const std::uint32_t v : values) {
    for (int shift = 0; shift < 32; shift += 8) {
      h ^= (v >> shift) & 0xffU;
      h *= kPrime;
    }
  }
  return h;
}

std::vector<std::uint32_t> reference_image(const Params& p) {
  std::vector<std::uint32_t> image(std::size_t{p.width} * p.height);
  std::size_t i = 0;
  for (std::uint32_t py = 0; py < p.height; ++py) {
    const double ci = p.y_max - (static_cast<double>(py) + 0.5) * (p.y_max - p.y_min) / static_cast<double>(p.height);
    for (std::uint32_t px = 0; px < p.width; ++px) {
      const double cr = p.x_min + (static_cast<double>(px) + 0.5) * (p.x_max - p.x_min) / static_cast<double>(p.width);
      double zr = 0.0;
      double zi = 0.0;
      std::uint32_t n = 0;
      while (n < p.max_iter) {
        const double zr2 = zr * zr;
        const double zi2 = zi * zi;
        if (zr2 + zi2 > 4.0) break;
        const double next_zr = zr2 - zi2 + cr;
        zi = 2.0 * zr * zi + ci;
        zr = next_zr;
        ++n;
      }
      image[i++] = n;
    }
  }
  return image;
}

namespace {

// Pixels are iterated kLanes at a time in GCC/Clang vector types of two doubles
// (one SSE2 register on baseline x86-64): kVectors independent dependency chains
// keep the multipliers busy where one pixel alone would wait on each result.
// Lane arithmetic is IEEE double, operation for operation the reference's, so
// the counts do not depend on which pixels share a group.
using Vec = double __attribute__((vector_size(16)));
using Mask = std::int64_t __attribute__((vector_size(16)));  // lanes are 0 or -1 (all bits set)
constexpr std::size_t kVectors = 4;
constexpr std::uint32_t kLanes = 2 * kVectors;
// Whether any lane is still iterating is asked only every kCheckEvery steps:
// a lane that escaped stops counting at once (its mask is 0), it only goes on
// computing values nobody reads.
constexpr std::uint32_t kCheckEvery = 4;

}  // namespace

Workload::Workload(const Params& p) : p_(p) {
  if (auto m = validate(p_); !m.empty()) throw std::invalid_argument("mandelbrot: " + m);
}

void Workload::compute_row(std::uint32_t py, std::uint32_t* out) const {
  const double ci_scalar =
      p_.y_max - (static_cast<double>(py) + 0.5) * (p_.y_max - p_.y_min) / static_cast<double>(p_.height);
  const double span = p_.x_max - p_.x_min;
  const auto width = static_cast<double>(p_.width);
  const Vec ci = {ci_scalar, ci_scalar};
  const Vec two = {2.0, 2.0};
  const Vec four = {4.0, 4.0};

  for (std::uint32_t px0 = 0; px0 < p_.width; px0 += kLanes) {
    Vec cr[kVectors];
    Vec zr[kVectors];
    Vec zi[kVectors];
    Mask alive[kVectors];
    Mask count[kVectors];
    for (std::size_t v = 0; v < kVectors; ++v) {
      const std::uint32_t px = px0 + 2 * static_cast<std::uint32_t>(v);
      cr[v] = Vec{p_.x_min + (static_cast<double>(px) + 0.5) * span / width,
                  p_.x_min + (static_cast<double>(px + 1) + 0.5) * span / width};
      // Lanes past the row's end never count.
      alive[v] = Mask{px < p_.width ? -1 : 0, px + 1 < p_.width ? -1 : 0};
      zr[v] = Vec{0.0, 0.0};
      zi[v] = Vec{0.0, 0.0};
      count[v] = Mask{0, 0};
    }
    for (std::uint32_t done = 0; done < p_.max_iter;) {
      const std::uint32_t steps = p_.max_iter - done < kCheckEvery ? p_.max_iter - done : kCheckEvery;
      for (std::uint32_t s = 0; s < steps; ++s) {
        for (std::size_t v = 0; v < kVectors; ++v) {
          const Vec zr2 = zr[v] * zr[v];
          const Vec zi2 = zi[v] * zi[v];
          alive[v] &= (zr2 + zi2 <= four);
          count[v] -= alive[v];  // -(-1): one more iteration for the lanes still inside
          const Vec next_zr = zr2 - zi2 + cr[v];
          zi[v] = two * zr[v] * zi[v] + ci;
          zr[v] = next_zr;
        }
      }
      done += steps;
      Mask any = alive[0];
      for (std::size_t v = 1; v < kVectors; ++v) any |= alive[v];
      if ((any[0] | any[1]) == 0) break;
    }
    for (std::uint32_t l = 0; l < kLanes && px0 + l < p_.width; ++l) {
      out[px0 + l] = static_cast<std::uint32_t>(count[l / 2][l % 2]);
    }
  }
}

Partial Workload::compute(Range r) const {
  if (r.begin > r.end || r.end > p_.height) {
    throw std::out_of_range("mandelbrot: rows " + std::to_string(r.begin) + ".." + std::to_string(r.end) +
                            " outside 0.." + std::to_string(p_.height));
  }
  Partial part;
  part.iterations.resize(r.size() * p_.width);
  for (std::uint64_t py = r.begin; py < r.end; ++py) {
    compute_row(static_cast<std::uint32_t>(py), part.iterations.data() + (py - r.begin) * p_.width);
  }
  return part;
}

void Workload::merge(Partial& acc, Partial&& next) {
  if (acc.iterations.empty()) {
    acc.iterations = std::move(next.iterations);
    return;
  }
  acc.iterations.insert(acc.iterations.end(), next.iterations.begin(), next.iterations.end());
}

Result Workload::finish(Partial&& p) const {
  const std::uint64_t pixels = std::uint64_t{p_.width} * p_.height;
  if (p.iterations.size() != pixels) {
    throw std::logic_error("mandelbrot: " + std::to_string(p.iterations.size()) + " pixels merged, expected " +
                           std::to_string(pixels));
  }
  Result r;
  r.width = p_.width;
  r.height = p_.height;
  r.iterations = std::move(p.iterations);
  for (const std::uint32_t n : r.iterations) r.total_iterations += n;
  r.checksum = fnv1a(r.iterations);
  return r;
}

Verification Workload::verify(const Result& r) const {
  const std::vector<std::uint32_t> expected = reference_image(p_);
  std::uint64_t expected_total = 0;
  for (const std::uint32_t n : expected) expected_total += n;
  const std::uint64_t expected_checksum = fnv1a(expected);

  Verification v;
  v.reference = "straightforward serial reference image";
  v.passed = r.width == p_.width && r.height == p_.height && r.checksum == expected_checksum &&
             r.total_iterations == expected_total;
  v.detail = "checksum " + std::to_string(r.checksum) + " vs " + std::to_string(expected_checksum) +
             ", total iterations " + std::to_string(r.total_iterations) + " vs " + std::to_string(expected_total);
  if (r.width != p_.width || r.height != p_.height) {
    v.detail += ", size " + std::to_string(r.width) + "x" + std::to_string(r.height) + " vs " +
                std::to_string(p_.width) + "x" + std::to_string(p_.height);
  }
  return v;
}

std::vector<Field> Workload::fields(const Result& r) {
  return {{"checksum", r.checksum},
          {"total_iterations", r.total_iterations},
          {"width", std::uint64_t{r.width}},
          {"height", std::uint64_t{r.height}}};
}

std::vector<Field> Workload::parameters() const {
  return {{"width", std::uint64_t{p_.width}},
          {"height", std::uint64_t{p_.height}},
          {"max_iter", std::uint64_t{p_.max_iter}},
          {"x_min", p_.x_min},
          {"x_max", p_.x_max},
          {"y_min", p_.y_min},
          {"y_max", p_.y_max}};
}

}  // namespace pardemo::core::mandelbrot
