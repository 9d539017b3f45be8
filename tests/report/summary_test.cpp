#include "report/summary.hpp"

#include <gtest/gtest.h>

namespace pardemo::report {
namespace {

RunRecord run_of(const std::string& backend, int ranks, int threads, double wall) {
  RunRecord r;
  r.command = "compare";
  r.workload = "ep";
  r.backend = backend;
  r.ranks = ranks;
  r.threads_per_rank = threads;
  r.operations = 1e8;
  WorkerTimes w;
  w.compute = wall;
  r.repeats = {{wall, 0.0, std::vector<WorkerTimes>(static_cast<std::size_t>(ranks * threads), w)}};
  r.result = {{"sx", 1.0}};
  r.verification = {true, "ref", "ok"};
  r.identical_to_serial = true;
  return r;
}

TEST(SummaryTest, SpeedupAndEfficiencyAgainstSerial) {
  const RunRecord serial = run_of("serial", 1, 1, 4.0);
  const RunRecord mpi = run_of("mpi", 4, 1, 1.25);
  EXPECT_DOUBLE_EQ(speedup(serial, mpi), 3.2);
  EXPECT_DOUBLE_EQ(efficiency(serial, mpi), 0.8);
}

TEST(SummaryTest, TableShowsEveryRunAligned) {
  const std::string t = timing_table({run_of("serial", 1, 1, 4.0), run_of("threads", 1, 4, 2.0)});
  EXPECT_NE(t.find("serial"), std::string::npos);
  EXPECT_NE(t.find("2.00"), std::string::npos);  // threads speedup
  EXPECT_NE(t.find("0.50"), std::string::npos);  // threads efficiency
  // Every line has the same column layout: the header's "workers" column ends where the numbers end.
  const auto first_nl = t.find('\n');
  const std::string header = t.substr(0, first_nl);
  const std::string row = t.substr(first_nl + 1, t.find('\n', first_nl + 1) - first_nl - 1);
  EXPECT_EQ(header.find("workers") + std::string("workers").size(), row.find(" 1 ") + 2);
}

TEST(SummaryTest, VerificationSaysUnsuccessfulWhenAnyRunFails) {
  RunRecord bad = run_of("mpi", 2, 1, 1.0);
  bad.verification.passed = false;
  EXPECT_NE(verification_lines({run_of("serial", 1, 1, 2.0)}).find("Verification = SUCCESSFUL"), std::string::npos);
  EXPECT_NE(verification_lines({run_of("serial", 1, 1, 2.0), bad}).find("Verification = UNSUCCESSFUL"),
            std::string::npos);
  RunRecord differs = run_of("threads", 1, 2, 1.0);
  differs.identical_to_serial = false;
  EXPECT_NE(verification_lines({run_of("serial", 1, 1, 2.0), differs}).find("UNSUCCESSFUL"), std::string::npos);
}

TEST(SummaryTest, RenderTablePadsColumns) {
  EXPECT_EQ(render_table({"a", "bb"}, {{"xyz", "1"}}), "a    bb\nxyz   1\n");
}

}  // namespace
}  // namespace pardemo::report
