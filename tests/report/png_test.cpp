#include "report/png.hpp"

#include <gtest/gtest.h>
#include <png.h>

#include <array>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace pardemo::report {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system's temporary directory, removed afterwards.
class PngTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = (fs::temp_directory_path() / "pardemo_png_test_XXXXXX").string();
    ASSERT_NE(::mkdtemp(name.data()), nullptr);
    dir_ = name;
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  [[nodiscard]] std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
    return names;
  }

  fs::path dir_;
};

struct Image {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  int bit_depth = 0;
  int colour_type = 0;
  std::vector<std::uint8_t> rgb;
};

// Reads an 8-bit RGB PNG back with libpng's simplified API.
Image read_png(const std::string& path) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&image, path.c_str()) == 0) throw std::runtime_error(image.message);
  Image out;
  out.width = image.width;
  out.height = image.height;
  image.format = PNG_FORMAT_RGB;
  out.rgb.resize(PNG_IMAGE_SIZE(image));
  if (png_image_finish_read(&image, nullptr, out.rgb.data(), 0, nullptr) == 0) {
    png_image_free(&image);
    throw std::runtime_error(image.message);
  }
  // The header as written, from the low-level API.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  png_init_io(png, f.get());
  png_read_info(png, info);
  out.bit_depth = png_get_bit_depth(png, info);
  out.colour_type = png_get_color_type(png, info);
  png_destroy_read_struct(&png, &info, nullptr);
  return out;
}

std::array<std::uint8_t, 3> pixel(const std::vector<std::uint8_t>& rgb, std::uint32_t width, std::uint32_t x,
                                  std::uint32_t y) {
  const std::size_t i = (std::size_t{y} * width + x) * 3;
  return {rgb[i], rgb[i + 1], rgb[i + 2]};
}

std::vector<std::uint8_t> test_pattern(std::uint32_t width, std::uint32_t height) {
  std::vector<std::uint8_t> rgb;
  for (std::uint32_t y = 0; y < height; ++y)
    for (std::uint32_t x = 0; x < width; ++x) {
      rgb.push_back(static_cast<std::uint8_t>(x * 20));
      rgb.push_back(static_cast<std::uint8_t>(y * 30));
      rgb.push_back(static_cast<std::uint8_t>((x + y) % 2 == 0 ? 255 : 0));
    }
  return rgb;
}

TEST_F(PngTest, WritesAnImageThatReadsBack) {
  const std::uint32_t width = 7;
  const std::uint32_t height = 5;
  const auto rgb = test_pattern(width, height);
  const std::string path = (dir_ / "small.png").string();
  write_png(path, width, height, rgb);

  const Image back = read_png(path);
  EXPECT_EQ(back.width, width);
  EXPECT_EQ(back.height, height);
  EXPECT_EQ(back.bit_depth, 8);
  EXPECT_EQ(back.colour_type, PNG_COLOR_TYPE_RGB);
  EXPECT_EQ(pixel(back.rgb, width, 0, 0), (std::array<std::uint8_t, 3>{0, 0, 255}));
  EXPECT_EQ(pixel(back.rgb, width, 6, 0), (std::array<std::uint8_t, 3>{120, 0, 255}));
  EXPECT_EQ(pixel(back.rgb, width, 3, 4), (std::array<std::uint8_t, 3>{60, 120, 0}));
  EXPECT_EQ(back.rgb, rgb);
  // Only the image: the temporary file was renamed, not left beside it.
  EXPECT_EQ(listing(), std::vector<std::string>{"small.png"});
}

TEST_F(PngTest, ReplacesAnExistingFileWhole) {
  const std::string path = (dir_ / "image.png").string();
  { std::ofstream(path) << "not a png"; }
  write_png(path, 3, 2, test_pattern(3, 2));
  const Image back = read_png(path);
  EXPECT_EQ(back.width, 3U);
  EXPECT_EQ(back.height, 2U);
  EXPECT_EQ(listing(), std::vector<std::string>{"image.png"});
}

TEST_F(PngTest, MissingDirectoryThrowsAndLeavesNothing) {
  const fs::path missing = dir_ / "no_such_dir";
  const std::string path = (missing / "out.png").string();
  try {
    write_png(path, 2, 2, test_pattern(2, 2));
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(path), std::string::npos) << m;
    EXPECT_NE(m.find("No such file or directory"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
  EXPECT_FALSE(fs::exists(missing));
  EXPECT_TRUE(listing().empty());
}

TEST_F(PngTest, FailureAfterTheTemporaryFileRemovesIt) {
  // The rename fails: the target is a directory, not empty.
  const fs::path target = dir_ / "taken.png";
  fs::create_directories(target / "inside");
  EXPECT_THROW(write_png(target.string(), 2, 2, test_pattern(2, 2)), std::runtime_error);
  EXPECT_EQ(listing(), std::vector<std::string>{"taken.png"});

  // libpng refuses the header (wider than its default limit of 10^6 pixels).
  const std::string wide = (dir_ / "wide.png").string();
  try {
    write_png(wide, 1'000'001, 1, std::vector<std::uint8_t>(3'000'003, 0));
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(wide), std::string::npos) << e.what();
  }
  // A zero-size image is refused by libpng as well.
  EXPECT_THROW(write_png((dir_ / "empty.png").string(), 0, 0, {}), std::runtime_error);
  EXPECT_EQ(listing(), std::vector<std::string>{"taken.png"});
}

TEST_F(PngTest, WrongBufferSizeIsRejectedBeforeAnythingIsWritten) {
  const std::string path = (dir_ / "bad.png").string();
  EXPECT_THROW(write_png(path, 4, 4, std::vector<std::uint8_t>(47)), std::invalid_argument);
  EXPECT_TRUE(listing().empty());
}

TEST(ColourTest, ByIterations) {
  const std::uint32_t max_iter = 1000;
  const std::vector<std::uint32_t> iters{0, 1, 10, 100, 999, 1000};
  const auto rgb = colour_by_iterations(iters, max_iter);
  ASSERT_EQ(rgb.size(), iters.size() * 3);
  // In the set: black.
  EXPECT_EQ(pixel(rgb, 6, 5, 0), (std::array<std::uint8_t, 3>{0, 0, 0}));
  // Outside: not black, and different counts give different colours.
  std::set<std::array<std::uint8_t, 3>> seen;
  for (std::uint32_t i = 0; i < 4; ++i) {
    const auto c = pixel(rgb, 6, i, 0);
    EXPECT_NE(c, (std::array<std::uint8_t, 3>{0, 0, 0})) << i;
    seen.insert(c);
  }
  EXPECT_EQ(seen.size(), 4U);
  // Smooth: neighbouring counts give nearby colours.
  const auto near = colour_by_iterations({200, 201}, max_iter);
  for (std::size_t k = 0; k < 3; ++k) EXPECT_LE(std::abs(int{near[k]} - int{near[k + 3]}), 3) << k;
  EXPECT_EQ(colour_by_iterations({0, 5}, 0), std::vector<std::uint8_t>(6, 0));
}

TEST(ColourTest, ByOwner) {
  const std::uint32_t width = 4;
  const std::vector<std::uint32_t> owners{0, 0, 1, 2, 1};
  const auto rgb = colour_by_owner(owners, width, 3);
  ASSERT_EQ(rgb.size(), owners.size() * width * 3);
  for (std::uint32_t y = 0; y < owners.size(); ++y)
    for (std::uint32_t x = 1; x < width; ++x) EXPECT_EQ(pixel(rgb, width, x, y), pixel(rgb, width, 0, y));
  EXPECT_EQ(pixel(rgb, width, 0, 0), pixel(rgb, width, 0, 1));
  EXPECT_EQ(pixel(rgb, width, 0, 2), pixel(rgb, width, 0, 4));
  EXPECT_NE(pixel(rgb, width, 0, 1), pixel(rgb, width, 0, 2));
  EXPECT_NE(pixel(rgb, width, 0, 2), pixel(rgb, width, 0, 3));

  // Many workers: each of the first 21 has its own colour, then the palette cycles.
  std::vector<std::uint32_t> many(30);
  for (std::uint32_t i = 0; i < many.size(); ++i) many[i] = i;
  const auto big = colour_by_owner(many, 1, 30);
  std::set<std::array<std::uint8_t, 3>> distinct;
  for (std::uint32_t i = 0; i < 21; ++i) distinct.insert(pixel(big, 1, 0, i));
  EXPECT_EQ(distinct.size(), 21U);
  for (std::uint32_t i = 0; i + 1 < many.size(); ++i) EXPECT_NE(pixel(big, 1, 0, i), pixel(big, 1, 0, i + 1)) << i;
  EXPECT_EQ(pixel(big, 1, 0, 21), pixel(big, 1, 0, 0));

  EXPECT_THROW((void)colour_by_owner({0, 3}, 2, 3), std::invalid_argument);
  EXPECT_THROW((void)colour_by_owner({0}, 2, 0), std::invalid_argument);
}

}  // namespace
}  // namespace pardemo::report
