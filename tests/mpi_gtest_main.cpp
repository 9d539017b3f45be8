// GoogleTest main for tests that run on every rank of MPI_COMM_WORLD. Rank 0
// prints the usual output; the failures of every other rank are sent to rank 0
// after each test and printed there tagged with the rank, so a failure on rank 3
// is seen, not swallowed. The exit code is the worst over all ranks.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/mpi/collectives.hpp>
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <cstdio>
#include <string>
#include <vector>

namespace {

class GatherFailures : public testing::EmptyTestEventListener {
 public:
  explicit GatherFailures(boost::mpi::communicator world) : world_(std::move(world)) {}

  void OnTestPartResult(const testing::TestPartResult& r) override {
    if (r.failed())
      failures_.push_back(fmt::format("{}:{}: {}", r.file_name() ? r.file_name() : "?", r.line_number(), r.summary()));
  }

  void OnTestEnd(const testing::TestInfo& info) override {
    std::vector<std::vector<std::string>> all;
    boost::mpi::gather(world_, failures_, all, 0);
    if (world_.rank() == 0) {
      for (std::size_t rank = 1; rank < all.size(); ++rank) {
        for (const auto& f : all[rank]) {
          std::printf("[  FAILED  ] rank %zu: %s.%s\n%s\n", rank, info.test_suite_name(), info.name(), f.c_str());
          ++remote_failures_;
        }
      }
      std::fflush(stdout);
    }
    failures_.clear();
  }

  [[nodiscard]] int remote_failures() const { return remote_failures_; }

 private:
  boost::mpi::communicator world_;
  std::vector<std::string> failures_;
  int remote_failures_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  boost::mpi::environment env(argc, argv, boost::mpi::threading::funneled);
  boost::mpi::communicator world;
  testing::InitGoogleTest(&argc, argv);
  auto& listeners = testing::UnitTest::GetInstance()->listeners();
  if (world.rank() != 0) delete listeners.Release(listeners.default_result_printer());
  auto* gather = new GatherFailures(world);
  listeners.Append(gather);  // owned by GoogleTest
  const int local = RUN_ALL_TESTS();
  int worst = 0;
  boost::mpi::all_reduce(world, local, worst, boost::mpi::maximum<int>());
  if (world.rank() == 0) {
    if (gather->remote_failures() > 0)
      std::printf("[  FAILED  ] %d failure(s) on ranks other than 0 (listed above)\n", gather->remote_failures());
    std::printf("%d rank(s): %s\n", world.size(), worst == 0 ? "all passed" : "FAILED");
  }
  return worst;
}
