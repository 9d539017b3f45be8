#include "report/record.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace pardemo::report {
namespace {

RunRecord sample() {
  RunRecord r;
  r.command = "run";
  r.workload = "ep";
  r.parameters = {{"class", std::string("S")}};
  r.split = "block";
  r.backend = "mpi";
  r.ranks = 2;
  r.threads_per_rank = 1;
  r.operations = 1e6;
  WorkerTimes a;
  a.compute = 1.0;
  WorkerTimes b;
  b.rank = 1;
  b.compute = 0.5;
  b.wait = 0.5;
  r.repeats = {{2.0, 0.0, {a, b}}, {1.0, 0.0, {a, b}}, {3.0, 0.0, {a, b}}};
  r.result = {{"sx", -1.5}, {"n", std::uint64_t{7}}};
  r.verification = {true, "a reference", "detail"};
  return r;
}

TEST(RecordTest, JsonHoldsTheRun) {
  JobInfo job;
  job.hosts = {"h0", "h1", "h2"};
  job.cpus = {1, 2, 3};
  job.world_size = 3;
  job.mpi_library = "MPI x";
  const auto j = to_json(sample(), job);
  EXPECT_EQ(j["schema"], kSchema);
  EXPECT_EQ(j["backend"], "mpi");
  EXPECT_EQ(j["workers"], 2);
  EXPECT_EQ(j["hosts"].size(), 2U);  // only the ranks that ran
  EXPECT_DOUBLE_EQ(j["wall_s"]["median"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(j["wall_s"]["min"].get<double>(), 1.0);
  EXPECT_EQ(j["repeats"].size(), 3U);
  EXPECT_EQ(j["repeats"][0]["workers"][1]["rank"], 1);
  EXPECT_DOUBLE_EQ(j["result"]["sx"].get<double>(), -1.5);
  EXPECT_EQ(j["result"]["n"], 7);
  EXPECT_EQ(j["verified"], true);
  EXPECT_EQ(j["reference"], "a reference");
  EXPECT_TRUE(j.contains("git_revision"));
  EXPECT_EQ(j["mpi_library"], "MPI x");
}

TEST(RecordTest, MedianRepeatIsTheMedianWall) { EXPECT_DOUBLE_EQ(sample().median_repeat().wall, 2.0); }

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pardemo-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    ::chmod(dir_.c_str(), 0700);
    std::filesystem::remove_all(dir_);
  }
  std::string dir_;
};

TEST_F(TempDir, AppendWritesWholeLines) {
  const std::string path = dir_ + "/runs.jsonl";
  append_line(path, R"({"a":1})");
  append_line(path, R"({"a":2})");
  std::ifstream in(path);
  std::string l1, l2, l3;
  std::getline(in, l1);
  std::getline(in, l2);
  EXPECT_EQ(l1, R"({"a":1})");
  EXPECT_EQ(l2, R"({"a":2})");
  EXPECT_FALSE(std::getline(in, l3));
}

TEST_F(TempDir, CheckWritableNamesTheProblem) {
  EXPECT_EQ(check_writable(dir_ + "/new.jsonl"), "");
  EXPECT_NE(check_writable(dir_ + "/missing/x.jsonl").find("does not exist"), std::string::npos);
  EXPECT_NE(check_writable(dir_).find("not a regular file"), std::string::npos);
  EXPECT_NE(check_writable("").find("empty"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/new.jsonl"));  // checking creates nothing
  EXPECT_THROW(append_line(dir_ + "/missing/x.jsonl", "{}"), std::runtime_error);
}

}  // namespace
}  // namespace pardemo::report
