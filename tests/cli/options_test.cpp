#include "cli/options.hpp"

#include <gtest/gtest.h>

namespace pardemo::cli {
namespace {

Parsed parse_line(std::vector<std::string> args) { return parse(args); }

TEST(OptionsTest, CountsAreStrict) {
  EXPECT_EQ(parse_count("--size", "100000000", 1, 1ULL << 50), 100000000U);
  EXPECT_EQ(parse_count("--size", "1e8", 1, 1ULL << 50), 100000000U);
  for (const char* bad : {"", "abc", "12abc", "-5", "+5", " 5", "5 ", "1e", "e5", "1.5", "0x10"})
    EXPECT_THROW(parse_count("--size", bad, 1, 1000), std::invalid_argument) << bad;
  EXPECT_THROW(parse_count("--size", "0", 1, 1000), std::invalid_argument);
  EXPECT_THROW(parse_count("--size", "1001", 1, 1000), std::invalid_argument);
  EXPECT_THROW(parse_count("--size", "99999999999999999999999", 1, 1000), std::invalid_argument);
  EXPECT_THROW(parse_count("--size", "1e30", 1, ~0ULL), std::invalid_argument);
  // (2^64 - 1) / 10 + 1, times 10, is past 2^64: refused, not wrapped round to 4.
  EXPECT_THROW(parse_count("--size", "1844674407370955162e1", 1, ~0ULL), std::invalid_argument);
  EXPECT_EQ(parse_count("--size", "1844674407370955161e1", 1, ~0ULL), 18446744073709551610ULL);
  try {
    parse_count("--threads", "-3", 1, 1024);
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--threads '-3'"), std::string::npos);
  }
}

TEST(OptionsTest, GoodCommandLines) {
  const Parsed p = parse_line({"run", "primes", "--size", "1e6", "--backend", "hybrid", "--threads", "3", "--split",
                               "cyclic", "--chunk", "4", "--repeat", "2", "--json", "x.jsonl"});
  ASSERT_TRUE(p.options) << p.message;
  EXPECT_EQ(p.options->workload, "primes");
  EXPECT_EQ(*p.options->size, 1000000U);
  EXPECT_EQ(*p.options->backend, backends::Kind::hybrid);
  EXPECT_EQ(*p.options->threads, 3);
  EXPECT_EQ(p.options->split, core::Split::cyclic);
  EXPECT_EQ(p.options->chunk, 4U);
  EXPECT_EQ(p.options->repeat, 2);
  EXPECT_EQ(p.options->json, "x.jsonl");
  const Parsed c = parse_line({"compare", "ep", "--class", "a"});
  ASSERT_TRUE(c.options) << c.message;
  EXPECT_EQ(*c.options->size_class, 'A');
  EXPECT_EQ(c.options->repeat, 5);
}

TEST(OptionsTest, BadCommandLinesAreUsageErrorsNamingTheValue) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"frobnicate"}, "frobnicate"},
      {{"run", "nosuch"}, "nosuch"},
      {{"run", "ep", "--backend", "gpu"}, "gpu"},
      {{"run", "ep", "--class", "Z"}, "Z"},
      {{"run", "primes", "--size", "0"}, "'0'"},
      {{"run", "primes", "--size", "-5"}, "-5"},
      {{"run", "primes", "--size", "abc"}, "abc"},
      {{"run", "primes", "--size", "99999999999999999999999"}, "99999999999999999999999"},
      {{"run", "ep", "--threads", "0"}, "--threads '0'"},
      {{"run", "ep", "--threads", "100000"}, "100000"},
      {{"run", "ep", "--repeat", "0"}, "--repeat '0'"},
      {{"run", "ep", "--split", "diagonal"}, "diagonal"},
      {{"run", "ep", "--size", "100"}, "--size"},
      {{"run", "ep", "--backend", "serial", "--threads", "2"}, "--threads"},
      {{"run"}, "workload"},
  };
  for (const auto& [args, needle] : cases) {
    const Parsed p = parse_line(args);
    EXPECT_FALSE(p.options) << args.front();
    EXPECT_EQ(p.exit_code, kExitUsage) << p.message;
    EXPECT_NE(p.message.find(needle), std::string::npos) << p.message;
    EXPECT_EQ(p.message.find('\n'), std::string::npos) << p.message;
  }
}

TEST(OptionsTest, HelpIsNotAnError) {
  const Parsed p = parse_line({"run", "--help"});
  EXPECT_FALSE(p.options);
  EXPECT_EQ(p.exit_code, kExitOk);
  EXPECT_NE(p.message.find("--backend"), std::string::npos);
}

}  // namespace
}  // namespace pardemo::cli
