#pragma once
// The Mandelbrot set by escape time: for every pixel c of a window of the complex
// plane, iterate z <- z^2 + c from z = 0 and count the iterations until |z|^2 > 4,
// or max_iter. Items are image rows. Rows that cross the set cost up to max_iter
// iterations per pixel while rows far from it cost a handful, so the price of a
// row depends strongly on where it lies: the classes use the lower half of the
// set, y in [-1.25, 0], whose top half of rows (near the real axis, through the
// main cardioid) costs 10-18 times its bottom half. A block split of the rows
// leaves the workers with the bottom rows idle; a cyclic split evens that out.
//
// Every pixel is computed by the same code whatever its neighbours, so the image
// is bit-identical for any decomposition into row ranges, and the answer's
// checksum (FNV-1a over the iteration counts) is too.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/workload.hpp"

namespace pardemo::core::mandelbrot {

// An image of width x height pixels over [x_min, x_max] x [y_min, y_max]. Pixel
// (px, py) is the centre of its cell: c = (x_min + (px + 0.5) * (x_max - x_min) / width,
// y_max - (py + 0.5) * (y_max - y_min) / height), so row 0 is the top (y_max).
struct Params {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint32_t max_iter = 0;
  double x_min = 0;
  double x_max = 0;
  double y_min = 0;
  double y_max = 0;
};

inline constexpr std::uint64_t kMaxPixels = 1ULL << 28;  // 1 GiB of iteration counts

// Empty when `p` is usable, otherwise one line naming the bad value.
std::string validate(const Params& p);

struct ClassInfo {
  char name;
  Params params;
};
// Classes S, W, A, B, C over the same window (x in [-2, 0.5], y in [-1.25, 0]),
// each several times the work of the one before.
const std::vector<ClassInfo>& classes();
std::optional<Params> find_class(char name);
inline constexpr char kDefaultClass = 'W';  // a few seconds serially on one core

// FNV-1a 64 over the little-endian bytes of each value, in order.
std::uint64_t fnv1a(const std::vector<std::uint32_t>& values);

// The whole image, row-major, by a plain one-pixel-at-a-time double loop: the
// independent reference that verify() compares against. Slow on purpose (no
// lanes, no tricks) but the same IEEE operations per pixel as the fast kernel.
std::vector<std::uint32_t> reference_image(const Params& p);

struct Partial {
  using flat_type = std::uint32_t;
  std::vector<std::uint32_t> iterations;  // row-major pixels of the range's rows

  [[nodiscard]] std::vector<std::uint32_t>& flat() { return iterations; }

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    // An archive operation, not a reference declaration: keep the spaces.
    // clang-format off
    ar & iterations;
    // clang-format on
  }
};

struct Result {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::vector<std::uint32_t> iterations;  // row-major, width * height
  std::uint64_t total_iterations = 0;
  std::uint64_t checksum = 0;  // fnv1a(iterations)
};

class Workload {
 public:
  using Partial = mandelbrot::Partial;
  using Result = mandelbrot::Result;

  // Throws std::invalid_argument with validate()'s message when `p` is unusable.
  explicit Workload(const Params& p);

  [[nodiscard]] std::string name() const { return "mandelbrot"; }
  [[nodiscard]] const Params& params() const { return p_; }
  [[nodiscard]] std::uint64_t items() const { return p_.height; }  // one item per row
  [[nodiscard]] double operations() const {
    return static_cast<double>(static_cast<std::uint64_t>(p_.width) * p_.height);  // pixels
  }
  [[nodiscard]] Partial compute(Range r) const;
  static void merge(Partial& acc, Partial&& next);
  [[nodiscard]] Result finish(Partial&& p) const;
  [[nodiscard]] Verification verify(const Result& r) const;
  static std::vector<Field> fields(const Result& r);
  [[nodiscard]] std::vector<Field> parameters() const;

  // The iteration counts of row `py`, written to out[0 .. width).
  void compute_row(std::uint32_t py, std::uint32_t* out) const;

 private:
  Params p_;
};

}  // namespace pardemo::core::mandelbrot
