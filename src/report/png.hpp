#pragma once
// Pictures of a run: an image as an 8-bit RGB PNG (libpng), and the colourings
// that make one from a Mandelbrot image or from which worker computed each row.
#include <cstdint>
#include <string>
#include <vector>

namespace pardemo::report {

// Writes `rgb` (width * height pixels, row-major, 3 bytes each) to `path` as an
// 8-bit RGB PNG. The image goes to a temporary file in the same directory, which
// is renamed onto `path` only when complete, so `path` is either the old file or
// the whole new one, never half of it; on failure the temporary file is removed.
// Throws std::runtime_error naming the path and the reason (and
// std::invalid_argument when rgb's size does not match width and height).
void write_png(const std::string& path, std::uint32_t width, std::uint32_t height,
               const std::vector<std::uint8_t>& rgb);

// RGB for each iteration count: a smooth gradient (deep blue, white, gold, dark)
// indexed by log(1 + n) / log(1 + max_iter), so the many pixels that escape
// within a few iterations are spread over the palette; counts >= max_iter (the
// points taken to be in the set) are black.
std::vector<std::uint8_t> colour_by_iterations(const std::vector<std::uint32_t>& iters, std::uint32_t max_iter);

// RGB for an image whose row r was computed by worker owner_per_row[r], of
// `workers`: every pixel of a row in its worker's colour. Colours are the
// Okabe-Ito palette (distinguishable with the common colour-vision deficiencies),
// black left out; past 7 workers it repeats in darker and then lighter shades,
// and cycles after 21, so neighbouring worker numbers never share a colour.
// Throws std::invalid_argument when workers is 0 or an owner is >= workers.
std::vector<std::uint8_t> colour_by_owner(const std::vector<std::uint32_t>& owner_per_row, std::uint32_t width,
                                          std::uint32_t workers);

}  // namespace pardemo::report
