#include "report/png.hpp"

#include <fcntl.h>
#include <png.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace pardemo::report {

namespace {

// What went wrong while libpng was writing, kept in plain buffers: the error
// path leaves libpng with longjmp, which must not skip C++ destructors.
struct WriteState {
  std::FILE* file = nullptr;
  std::array<char, 256> error{};    // libpng's message, or the failed write's reason
  std::array<char, 256> warning{};  // libpng's first warning: often the detail of an error
};

void on_error(png_structp png, png_const_charp message) {
  auto* state = static_cast<WriteState*>(png_get_error_ptr(png));
  if (state->error[0] == '\0') std::snprintf(state->error.data(), state->error.size(), "%s", message);
  png_longjmp(png, 1);
}

void on_warning(png_structp png, png_const_charp message) {
  auto* state = static_cast<WriteState*>(png_get_error_ptr(png));
  if (state->warning[0] == '\0') std::snprintf(state->warning.data(), state->warning.size(), "%s", message);
}

void on_write(png_structp png, png_bytep data, std::size_t length) {
  auto* state = static_cast<WriteState*>(png_get_io_ptr(png));
  if (std::fwrite(data, 1, length, state->file) != length) {
    std::snprintf(state->error.data(), state->error.size(), "write failed: %s", std::strerror(errno));
    png_error(png, "write failed");
  }
}

void on_flush(png_structp png) {
  auto* state = static_cast<WriteState*>(png_get_io_ptr(png));
  if (std::fflush(state->file) != 0) {
    std::snprintf(state->error.data(), state->error.size(), "write failed: %s", std::strerror(errno));
    png_error(png, "write failed");
  }
}

// Encodes the image into state->file. libpng reports errors by longjmp back to
// the setjmp below, so nothing in this frame may need destroying: no C++ objects.
bool encode(WriteState* state, std::uint32_t width, std::uint32_t height, const std::uint8_t* rgb) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, state, on_error, on_warning);
  if (png == nullptr) {
    std::snprintf(state->error.data(), state->error.size(), "libpng could not start (out of memory?)");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    std::snprintf(state->error.data(), state->error.size(), "libpng could not start (out of memory?)");
    return false;
  }
  if (setjmp(png_jmpbuf(png)) != 0) {
    png_destroy_write_struct(&png, &info);
    return false;
  }
  png_set_write_fn(png, state, on_write, on_flush);
  // Iteration images are large and compress well; level 3 is several times
  // faster than zlib's default for a few per cent more bytes.
  png_set_compression_level(png, 3);
  png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  const std::size_t stride = std::size_t{width} * 3;
  for (std::uint32_t y = 0; y < height; ++y) png_write_row(png, rgb + std::size_t{y} * stride);
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return true;
}

// `what` followed by errno's text; errno is read first, before anything can change it.
std::string os_error(const char* what) {
  const int err = errno;
  return std::string(what) + std::strerror(err);
}

[[noreturn]] void fail(const std::string& path, const std::string& reason) {
  throw std::runtime_error("cannot write PNG " + path + ": " + reason);
}

// A new, empty file next to `path` that nobody else is using: "<path>.tmp.<pid>.<n>".
int create_temporary(const std::string& path, std::string& name) {
  static std::atomic<unsigned> counter{0};
  for (int attempt = 0;; ++attempt) {
    name = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
    const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST || attempt == 100) return fd;
  }
}

}  // namespace

void write_png(const std::string& path, std::uint32_t width, std::uint32_t height,
               const std::vector<std::uint8_t>& rgb) {
  const std::uint64_t expected = std::uint64_t{width} * height * 3;
  if (rgb.size() != expected) {
    throw std::invalid_argument("cannot write PNG " + path + ": " + std::to_string(rgb.size()) + " bytes of RGB for " +
                                std::to_string(width) + " x " + std::to_string(height) + " pixels (" +
                                std::to_string(expected) + " expected)");
  }

  std::string temporary;
  const int fd = create_temporary(path, temporary);
  if (fd < 0) fail(path, os_error("cannot create a temporary file beside it: "));

  WriteState state;
  state.file = ::fdopen(fd, "wb");
  if (state.file == nullptr) {
    const std::string reason = os_error("cannot open the temporary file: ");
    ::close(fd);
    ::unlink(temporary.c_str());
    fail(path, reason);
  }

  std::string reason;
  if (!encode(&state, width, height, rgb.data())) {
    reason = state.error.data();
    if (state.warning[0] != '\0') reason += std::string(" (") + state.warning.data() + ")";
  } else if (std::fflush(state.file) != 0 || ::fsync(::fileno(state.file)) != 0) {
    reason = os_error("write failed: ");
  }
  // Closing can report a delayed write error (a full disk on a network file system).
  if (std::fclose(state.file) != 0 && reason.empty()) reason = os_error("write failed: ");
  if (reason.empty() && std::rename(temporary.c_str(), path.c_str()) != 0) {
    reason = os_error("cannot rename the temporary file into place: ");
  }
  if (!reason.empty()) {
    ::unlink(temporary.c_str());
    fail(path, reason);
  }
}

namespace {

struct Rgb {
  double r, g, b;
};

// The gradient of the "Ultra Fractal" default palette, ending dark so that slow
// escapers next to the set fade into it.
constexpr std::array<std::pair<double, Rgb>, 6> kGradient{{
    {0.0, {0, 7, 100}},
    {0.16, {32, 107, 203}},
    {0.42, {237, 255, 255}},
    {0.6425, {255, 170, 0}},
    {0.8575, {40, 20, 0}},
    {1.0, {0, 0, 0}},
}};

Rgb gradient(double t) {
  t = std::clamp(t, 0.0, 1.0);
  std::size_t i = 1;
  while (i + 1 < kGradient.size() && t > kGradient[i].first) ++i;
  const auto& [t0, c0] = kGradient[i - 1];
  const auto& [t1, c1] = kGradient[i];
  // Smoothstep between stops: no visible kinks at the stops.
  double u = (t - t0) / (t1 - t0);
  u = u * u * (3.0 - 2.0 * u);
  return {c0.r + (c1.r - c0.r) * u, c0.g + (c1.g - c0.g) * u, c0.b + (c1.b - c0.b) * u};
}

std::uint8_t to_byte(double v) { return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0, 255.0))); }

// Okabe & Ito (2008), "Color Universal Design", without its black.
constexpr std::array<std::array<std::uint8_t, 3>, 7> kOkabeIto{{
    {230, 159, 0},    // orange
    {86, 180, 233},   // sky blue
    {0, 158, 115},    // bluish green
    {240, 228, 66},   // yellow
    {0, 114, 178},    // blue
    {213, 94, 0},     // vermillion
    {204, 121, 167},  // reddish purple
}};

}  // namespace

std::vector<std::uint8_t> colour_by_iterations(const std::vector<std::uint32_t>& iters, std::uint32_t max_iter) {
  std::vector<std::uint8_t> rgb(iters.size() * 3, 0);  // black unless coloured below
  if (max_iter == 0) return rgb;
  const double scale = 1.0 / std::log1p(static_cast<double>(max_iter));
  std::size_t i = 0;
  for (const std::uint32_t n : iters) {
    if (n < max_iter) {
      const Rgb c = gradient(std::log1p(static_cast<double>(n)) * scale);
      rgb[i] = to_byte(c.r);
      rgb[i + 1] = to_byte(c.g);
      rgb[i + 2] = to_byte(c.b);
    }
    i += 3;
  }
  return rgb;
}

std::vector<std::uint8_t> colour_by_owner(const std::vector<std::uint32_t>& owner_per_row, std::uint32_t width,
                                          std::uint32_t workers) {
  if (workers == 0) throw std::invalid_argument("colour_by_owner: no workers");
  std::vector<std::uint8_t> rgb(owner_per_row.size() * width * 3);
  auto* out = rgb.data();
  for (std::size_t row = 0; row < owner_per_row.size(); ++row) {
    const std::uint32_t owner = owner_per_row[row];
    if (owner >= workers) {
      throw std::invalid_argument("colour_by_owner: row " + std::to_string(row) + " owned by worker " +
                                  std::to_string(owner) + " of " + std::to_string(workers));
    }
    const auto& base = kOkabeIto[owner % kOkabeIto.size()];
    std::array<std::uint8_t, 3> c{};
    for (std::size_t k = 0; k < 3; ++k) {
      const double v = base[k];
      switch (owner / kOkabeIto.size() % 3) {
        case 0: c[k] = base[k]; break;
        case 1: c[k] = to_byte(v * 0.6); break;                 // darker
        default: c[k] = to_byte(v + (255.0 - v) * 0.5); break;  // lighter
      }
    }
    for (std::uint32_t x = 0; x < width; ++x, out += 3) std::copy(c.begin(), c.end(), out);
  }
  return rgb;
}

}  // namespace pardemo::report
