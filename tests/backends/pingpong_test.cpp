// The ping-pong benchmark at every rank count: one row per message size, in
// order, every latency positive and finite, every checked payload intact on
// both ranks, results on rank 0 only, the other ranks released. Few iterations:
// this checks the machinery, not the figures. Also: the model's process grid
// is the one this MPI library's MPI_Dims_create gives.
#include "backends/pingpong.hpp"

#include <gtest/gtest.h>
#include <mpi.h>

#include <boost/mpi/communicator.hpp>
#include <cmath>
#include <stdexcept>
#include <string>

#include "report/model.hpp"

namespace pardemo::backends::pingpong {
namespace {

namespace mpi = boost::mpi;

Options quick(std::size_t max_bytes) {
  Options o;
  o.max_bytes = max_bytes;
  o.iterations_small = 20;
  o.warmup_small = 2;
  o.iterations_large = 3;
  o.warmup_large = 1;
  o.rounds = 2;
  return o;
}

TEST(PingpongTest, MessageSizesAreZeroThenPowersOfTwo) {
  EXPECT_EQ(message_sizes(0), (std::vector<std::size_t>{0}));
  EXPECT_EQ(message_sizes(1), (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(message_sizes(5), (std::vector<std::size_t>{0, 1, 2, 4}));
  EXPECT_EQ(message_sizes(8), (std::vector<std::size_t>{0, 1, 2, 4, 8}));
  const auto osu = message_sizes(std::size_t{4} << 20);
  ASSERT_EQ(osu.size(), 24U);  // 0, then 2^0 .. 2^22
  EXPECT_EQ(osu.back(), std::size_t{1} << 22);
}

TEST(PingpongTest, InvalidOptionsAreRefusedOnEveryRank) {
  const mpi::communicator world;
  Options o = quick(64);
  o.iterations_small = 0;
  EXPECT_THROW(run(world, o), std::invalid_argument);
  o = quick(64);
  o.warmup_large = 0;
  EXPECT_THROW(run(world, o), std::invalid_argument);
  o = quick(64);
  o.rounds = 0;
  EXPECT_THROW(run(world, o), std::invalid_argument);
  o = quick((std::size_t{1} << 30) + 1);
  EXPECT_THROW(run(world, o), std::invalid_argument);
}

TEST(PingpongTest, OneRankHasNobodyToTalkTo) {
  const mpi::communicator world;
  if (world.size() != 1) GTEST_SKIP() << "runs at 1 rank only";
  EXPECT_THROW(run(world, quick(64)), std::invalid_argument);
}

void check_table(const mpi::communicator& world, const Options& o) {
  const Table t = run(world, o);
  EXPECT_EQ(t.world_size, world.size());
  if (world.rank() != 0) {
    EXPECT_TRUE(t.rows.empty());
    return;
  }
  const auto sizes = message_sizes(o.max_bytes);
  ASSERT_EQ(t.rows.size(), sizes.size());
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const Row& r = t.rows[i];
    const std::string what = std::to_string(r.bytes) + " B";
    EXPECT_EQ(r.bytes, sizes[i]);
    EXPECT_EQ(r.iterations, r.bytes > o.large_from ? o.iterations_large : o.iterations_small) << what;
    for (Way w : kAllWays) {
      const auto k = static_cast<std::size_t>(w);
      const std::string way = what + " " + std::string(to_string(w));
      EXPECT_TRUE(std::isfinite(r.latency_us[k])) << way;
      EXPECT_GT(r.latency_us[k], 0.0) << way;
      EXPECT_TRUE(std::isfinite(r.bandwidth_MBps[k])) << way;
      if (r.bytes == 0) {
        EXPECT_EQ(r.bandwidth_MBps[k], 0.0) << way;
      } else {
        EXPECT_GT(r.bandwidth_MBps[k], 0.0) << way;
        // bandwidth = bytes / one-way time, in 10^6 B/s
        EXPECT_NEAR(r.bandwidth_MBps[k] * r.latency_us[k], static_cast<double>(r.bytes),
                    1e-6 * static_cast<double>(r.bytes))
            << way;
      }
      EXPECT_TRUE(r.intact[k]) << way << ": the payload changed on the way";
    }
  }
  EXPECT_TRUE(t.all_intact());
  for (Way w : kAllWays) {
    const Fit& f = t.fits[static_cast<std::size_t>(w)];
    EXPECT_TRUE(std::isfinite(f.alpha_us)) << to_string(w);
    EXPECT_GT(f.beta_MBps, 0.0) << to_string(w);
    EXPECT_LE(f.r2, 1.0) << to_string(w);
  }
  EXPECT_EQ(t.find(sizes.back()), &t.rows.back());
  EXPECT_EQ(t.find(3), nullptr);
  const auto j = to_json(t);
  EXPECT_EQ(j.at("schema"), "pardemo.pingpong/1");
  EXPECT_EQ(j.at("rows").size(), sizes.size());
  EXPECT_EQ(j.at("rows").back().at("bytes"), sizes.back());
  const std::string text = format(t);
  EXPECT_NE(text.find("boost serialized"), std::string::npos);
}

TEST(PingpongTest, EverySizeMeasuredAndIntact) {
  const mpi::communicator world;
  if (world.size() < 2) GTEST_SKIP() << "needs 2 ranks";
  check_table(world, quick(std::size_t{1} << 20));
}

TEST(PingpongTest, SizesThatAreNotAPowerOfTwoStopBelow) {
  const mpi::communicator world;
  if (world.size() < 2) GTEST_SKIP() << "needs 2 ranks";
  Options o = quick(3000);  // 0, 1, ..., 2048
  o.large_from = 512;       // both iteration regimes in one small run
  check_table(world, o);
}

TEST(PingpongTest, EmptyMessagesOnly) {
  const mpi::communicator world;
  if (world.size() < 2) GTEST_SKIP() << "needs 2 ranks";
  const Table t = run(world, quick(0));
  if (world.rank() != 0) return;
  ASSERT_EQ(t.rows.size(), 1U);
  EXPECT_TRUE(t.all_intact());
  EXPECT_TRUE(std::isnan(t.fits[0].alpha_us));  // one size: nothing to fit
}

// The model predicts the stencil's halos on the grid MPI_Dims_create makes;
// check its reimplementation against the library the program runs on.
TEST(ModelGridTest, MatchesThisMpiDimsCreate) {
  for (int p = 1; p <= 1024; ++p) {
    int dims[2] = {0, 0};
    MPI_Dims_create(p, 2, dims);
    const report::model::Grid g = report::model::process_grid(p);
    EXPECT_EQ(g.rows, dims[0]) << "p=" << p;
    EXPECT_EQ(g.cols, dims[1]) << "p=" << p;
  }
}

}  // namespace
}  // namespace pardemo::backends::pingpong
