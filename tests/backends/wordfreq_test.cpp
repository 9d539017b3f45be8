// wordfreq on every backend, at whatever rank count mpirun gave: the table equals
// a separate serial count of the whole input, entry by entry, for a generated
// corpus and for real files, with the serialized and the flat tree merge alike.
#include "backends/wordfreq.hpp"

#include <gtest/gtest.h>

#include <boost/mpi/communicator.hpp>
#include <filesystem>

#include "backends/drivers.hpp"

namespace pardemo::backends::wordfreq {
namespace {

namespace mpi = boost::mpi;

const std::string kGpl3 = "/usr/share/common-licenses/GPL-3";
const std::string kGpl2 = "/usr/share/common-licenses/GPL-2";

// The fields of the reference table.
std::vector<core::Field> reference_fields(const Workload& w) {
  const auto ref = w.reference_count();
  Counts c(ref.begin(), ref.end());
  Result r;
  const auto t = core::wordfreq::totals(c);
  r.words = t.words;
  r.distinct = t.distinct;
  r.counts = std::move(c);
  return Workload::fields(r);
}

// Runs `w` on `kind`; on the root returns the table (empty elsewhere).
Counts check(Kind kind, const Workload& w, const std::vector<core::Field>& reference, const Plan& plan) {
  const mpi::communicator world;
  auto out = backends::run(kind, w, plan, world);
  const bool distributed = kind == Kind::mpi || kind == Kind::hybrid;
  const int ranks = distributed ? world.size() : 1;
  const int threads = (kind == Kind::threads || kind == Kind::hybrid) ? plan.threads : 1;
  EXPECT_EQ(out.kind, kind);
  EXPECT_EQ(out.ranks, ranks);
  EXPECT_EQ(out.threads_per_rank, threads);
  if (world.rank() != 0) {
    EXPECT_FALSE(out.result.has_value());
    EXPECT_TRUE(out.workers.empty());
    return {};
  }
  if (!out.result) {
    ADD_FAILURE() << "no result on the root";
    return {};
  }
  const auto v = w.verify(*out.result);
  EXPECT_TRUE(v.passed) << to_string(kind) << ": " << v.detail;
  EXPECT_TRUE(core::identical(Workload::fields(*out.result), reference)) << to_string(kind);
  EXPECT_EQ(out.workers.size(), static_cast<std::size_t>(ranks * threads));
  std::uint64_t bytes = 0;
  double slowest = 0;
  for (const auto& t : out.workers) {
    bytes += t.items;
    EXPECT_GE(t.compute, 0);
    EXPECT_GE(t.wait, 0);
    EXPECT_GE(t.comm, 0);
    if (!distributed || ranks == 1) {
      EXPECT_EQ(t.comm, 0) << "nothing to communicate";
    }
    slowest = std::max(slowest, t.compute);
  }
  EXPECT_EQ(bytes, w.bytes()) << "the workers' byte ranges tile the input";
  EXPECT_GE(out.wall, slowest);
  return std::move(out.result->counts);
}

void every_backend(const Workload& w) {
  const auto ref = reference_fields(w);
  check(Kind::serial, w, ref, Plan{});
  check(Kind::threads, w, ref, Plan{1, core::Split::block, 1});
  check(Kind::threads, w, ref, Plan{3, core::Split::block, 1});
  check(Kind::mpi, w, ref, Plan{});
  check(Kind::hybrid, w, ref, Plan{2, core::Split::block, 1});
  check(Kind::hybrid, w, ref, Plan{3, core::Split::block, 1});
}

TEST(WordfreqBackendsTest, GeneratedCorpusOnEveryBackend) {
  every_backend(Workload(300'000, 5));
  every_backend(Workload(300'000, 5, true));
}

TEST(WordfreqBackendsTest, Gpl3OnEveryBackend) {
  if (!std::filesystem::exists(kGpl3)) GTEST_SKIP() << kGpl3 << " is not on this machine";
  every_backend(Workload({kGpl3}));
  every_backend(Workload({kGpl3}, true));
}

TEST(WordfreqBackendsTest, SeveralFilesNoWordSpansTwo) {
  if (!std::filesystem::exists(kGpl3) || !std::filesystem::exists(kGpl2)) GTEST_SKIP() << "no GPL-2/GPL-3 here";
  const Workload w({kGpl3, kGpl2, kGpl3});
  const auto ref = reference_fields(w);
  check(Kind::threads, w, ref, Plan{4, core::Split::block, 1});
  check(Kind::mpi, w, ref, Plan{});
  check(Kind::hybrid, w, ref, Plan{3, core::Split::block, 1});
}

TEST(WordfreqBackendsTest, SerializedAndFlatMergesAgree) {
  const Workload serialized(200'000, 9, false);
  const Workload flat(200'000, 9, true);
  const auto ref = reference_fields(serialized);
  for (const Kind k : {Kind::mpi, Kind::hybrid}) {
    const Plan plan{2, core::Split::block, 1};
    const Counts a = check(k, serialized, ref, plan);
    const Counts b = check(k, flat, ref, plan);
    EXPECT_EQ(a, b);
  }
}

TEST(WordfreqBackendsTest, MoreWorkersThanBytes) {
  // 5 bytes, up to 4 ranks x 3 threads: most workers get nothing.
  for (const bool flat : {false, true}) {
    const Workload w(5, 1, flat);
    const auto ref = reference_fields(w);
    check(Kind::threads, w, ref, Plan{7, core::Split::block, 1});
    check(Kind::mpi, w, ref, Plan{});
    check(Kind::hybrid, w, ref, Plan{3, core::Split::block, 1});
  }
  const Workload none(0, 1);
  check(Kind::hybrid, none, reference_fields(none), Plan{2, core::Split::block, 1});
}

TEST(WordfreqBackendsTest, FieldsAndParameters) {
  const Workload w(100'000, 2);
  const auto f = reference_fields(w);
  ASSERT_EQ(f.size(), 13U);
  EXPECT_EQ(f[0].name, "words");
  EXPECT_EQ(f[1].name, "distinct");
  EXPECT_EQ(f[2].name, "checksum");
  EXPECT_EQ(f[3].name, "top1");
  EXPECT_EQ(std::get<std::string>(f[3].value).rfind("the=", 0), 0U) << std::get<std::string>(f[3].value);
  EXPECT_EQ(f[12].name, "top10");
  EXPECT_EQ(w.name(), "wordfreq");
  EXPECT_EQ(w.operations(), 100'000.0);
  EXPECT_EQ(w.parameters().front().name, "corpus_bytes");
}

TEST(WordfreqBackendsTest, BadInputIsRefusedOnEveryRank) {
  try {
    const Workload w({"/nonexistent/words.txt"});
    ADD_FAILURE() << "accepted a missing file";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/words.txt: no such file");
  }
  EXPECT_THROW(Workload(std::vector<std::string>{}), std::invalid_argument);
  EXPECT_THROW(backends::run(Kind::threads, Workload(1000, 1), Plan{0, core::Split::block, 1}, mpi::communicator()),
               std::invalid_argument);
}

static_assert(DrivenWorkload<Workload>);

}  // namespace
}  // namespace pardemo::backends::wordfreq
