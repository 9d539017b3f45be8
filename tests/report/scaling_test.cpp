#include "report/scaling.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "report/plot.hpp"
#include "report/record.hpp"

namespace pardemo::report::scaling {
namespace {

namespace fs = std::filesystem;

// A record as the program writes it, with the given walls (one per repeat).
nlohmann::json record(const std::string& backend, int ranks, int threads, std::vector<double> walls,
                      const std::string& cls = "S", bool verified = true) {
  RunRecord r;
  r.command = "run";
  r.workload = "ep";
  r.parameters = {{"class", cls}};
  r.split = "block";
  r.backend = backend;
  r.ranks = ranks;
  r.threads_per_rank = threads;
  for (double w : walls) {
    std::vector<WorkerTimes> workers(static_cast<std::size_t>(ranks * threads));
    for (std::size_t i = 0; i < workers.size(); ++i) {
      workers[i].rank = static_cast<int>(i);
      workers[i].compute = i == 0 ? 0.6 * w : 0.8 * w;  // worker 0 is faster, so it waits
      workers[i].wait = i == 0 ? 0.2 * w : 0.0;
      workers[i].comm = 0.2 * w;
    }
    r.repeats.push_back({w, 0.0, workers});
  }
  r.verification.passed = verified;
  JobInfo job;
  job.hosts = std::vector<std::string>(static_cast<std::size_t>(ranks), "node");
  job.hosts.back() = "other";
  job.world_size = ranks;
  job.started_utc = "2026-01-02T03:04:05Z";
  return to_json(r, job);
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "pardemo-scaling-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  [[nodiscard]] std::string file(const std::string& name, const std::string& text) const {
    const std::string p = path_ + "/" + name;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const Point& find(const Group& g, const std::string& backend, int workers) {
  for (const auto& p : g.points)
    if (p.backend == backend && p.workers == workers) return p;
  throw std::runtime_error("no point " + backend);
}

TEST(ScalingTest, SpeedupEfficiencyAndKarpFlattFromTheSerialBaseline) {
  std::vector<std::string> notes;
  const auto groups = summarize({record("serial", 1, 1, {4.0, 4.2, 3.8}), record("mpi", 2, 1, {2.5, 2.6, 2.4}),
                                 record("mpi", 4, 1, {1.6}), record("threads", 1, 2, {2.0})},
                                notes);
  ASSERT_EQ(groups.size(), 1U);
  EXPECT_TRUE(notes.empty());
  const Group& g = groups.front();
  EXPECT_EQ(g.baseline_from, "serial");
  EXPECT_DOUBLE_EQ(*g.baseline, 4.0);
  EXPECT_EQ(g.points.front().backend, "serial");
  const Point& two = find(g, "mpi", 2);
  EXPECT_DOUBLE_EQ(*two.speedup, 4.0 / 2.5);
  EXPECT_DOUBLE_EQ(*two.efficiency, 0.8);
  EXPECT_NEAR(*two.karp_flatt, (1 / 1.6 - 0.5) / 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(two.wall.min, 2.4);
  EXPECT_DOUBLE_EQ(two.wall.max, 2.6);
  // Worker 0 computed 0.6 w and worker 1 0.8 w: max / mean = 0.8 / 0.7.
  EXPECT_NEAR(two.imbalance, 0.8 / 0.7, 1e-12);
  EXPECT_NEAR(two.comm_share, 0.4 / (1.4 + 0.4 + 0.2), 1e-12);
  EXPECT_NEAR(two.wait_share, 0.2 / 2.0, 1e-12);
  EXPECT_DOUBLE_EQ(*find(g, "threads", 2).speedup, 2.0);
  EXPECT_EQ(g.hosts, (std::vector<std::string>{"node", "other"}));
  EXPECT_EQ(g.date, "2026-01-02T03:04:05Z");
  ASSERT_FALSE(g.fits.empty());
}

TEST(ScalingTest, RecordsOfSeveralRunsArePooled) {
  std::vector<std::string> notes;
  const auto groups =
      summarize({record("serial", 1, 1, {3.0}), record("mpi", 2, 1, {1.0, 5.0}), record("mpi", 2, 1, {2.0})}, notes);
  const Point& p = find(groups.front(), "mpi", 2);
  EXPECT_EQ(p.records, 2);
  EXPECT_DOUBLE_EQ(p.wall.median, 2.0);  // of 1, 2, 5
  EXPECT_DOUBLE_EQ(*p.speedup, 1.5);
}

TEST(ScalingTest, MissingBaselineIsSaidAndOwnOneWorkerRunsAreUsed) {
  std::vector<std::string> notes;
  const auto groups = summarize({record("mpi", 1, 1, {3.0}), record("mpi", 2, 1, {2.0})}, notes);
  ASSERT_EQ(notes.size(), 1U);
  EXPECT_NE(notes.front().find("no serial baseline"), std::string::npos);
  EXPECT_FALSE(groups.front().baseline.has_value());
  EXPECT_DOUBLE_EQ(*find(groups.front(), "mpi", 2).speedup, 1.5);
}

TEST(ScalingTest, DifferentSizesAreSeparateGroupsWithANote) {
  std::vector<std::string> notes;
  const auto groups = summarize({record("serial", 1, 1, {1.0}, "S"), record("serial", 1, 1, {8.0}, "W")}, notes);
  EXPECT_EQ(groups.size(), 2U);
  ASSERT_EQ(notes.size(), 1U);
  EXPECT_NE(notes.front().find("2 different sizes"), std::string::npos);
}

TEST(ScalingTest, WeakScalingUsesScaledSpeedup) {
  auto serial = record("serial", 1, 1, {2.0});
  auto four = record("mpi", 4, 1, {2.5});
  for (auto* r : {&serial, &four}) {
    (*r)["mode"] = "weak";
    (*r)["base_parameters"] = {{"class", "S"}};
  }
  serial["scale"] = 1;
  four["scale"] = 4;
  four["parameters"] = {{"class", "S"}, {"batches", 1024}};
  std::vector<std::string> notes;
  const auto groups = summarize({serial, four}, notes);
  ASSERT_EQ(groups.size(), 1U);
  const Point& p = find(groups.front(), "mpi", 4);
  EXPECT_DOUBLE_EQ(*p.efficiency, 0.8);
  EXPECT_DOUBLE_EQ(*p.speedup, 3.2);  // 4 x 2.0 / 2.5
  EXPECT_FALSE(p.karp_flatt.has_value());
}

TEST(ScalingTest, BadLinesAreReportedWithFileAndLineAndTheRestIsKept) {
  const TempDir dir;
  const std::string good = record("serial", 1, 1, {1.0}).dump();
  auto future = record("mpi", 2, 1, {1.0});
  future["schema"] = "pardemo.run/9";
  auto no_walls = record("mpi", 2, 1, {1.0});
  no_walls.erase("repeats");
  const std::string a = dir.file("a.jsonl", good + "\n{not json\n" + future.dump() + "\n\n" + no_walls.dump() + "\n");
  const std::string b = dir.file("b.jsonl", good + "\n" + good.substr(0, good.size() / 2));  // cut mid-record
  const Loaded loaded = load({a, b, dir.path() + "/missing.jsonl"});
  EXPECT_EQ(loaded.records.size(), 2U);
  ASSERT_EQ(loaded.problems.size(), 5U);
  EXPECT_EQ(loaded.problems[0].where, a + ":2");
  EXPECT_EQ(loaded.problems[0].what, "malformed JSON");
  EXPECT_EQ(loaded.problems[1].where, a + ":3");
  EXPECT_NE(loaded.problems[1].what.find("unknown schema"), std::string::npos);
  EXPECT_EQ(loaded.problems[2].where, a + ":5");
  EXPECT_NE(loaded.problems[2].what.find("repeats"), std::string::npos);
  EXPECT_EQ(loaded.problems[3].where, b + ":2");
  EXPECT_NE(loaded.problems[3].what.find("truncated"), std::string::npos);
  EXPECT_NE(loaded.problems[4].what.find("cannot be read"), std::string::npos);
  EXPECT_EQ(loaded.origins[1], b + ":1");
}

// Fields of the wrong type, or sizes whose product overflows, make a line a
// named problem; summarize() never sees them (it used to throw or overflow).
TEST(ScalingTest, FieldsOfTheWrongTypeAreProblemsNotCrashes) {
  const TempDir dir;
  const nlohmann::json good = record("mpi", 2, 1, {1.0});
  std::vector<std::pair<nlohmann::json, std::string>> bad;
  auto with = [&](const std::string& key, nlohmann::json value) {
    nlohmann::json r = good;
    r[key] = std::move(value);
    bad.emplace_back(r, key);
  };
  with("split", nlohmann::json::array({"a"}));
  with("mode", 5);
  with("mode", "sideways");
  with("scale", "2");
  with("base_parameters", 1);
  with("identical_to_serial", "yes");
  with("started_utc", 2024);
  with("ranks", 65536);         // workers is no longer ranks x threads
  with("ranks", 4294967297LL);  // past int
  nlohmann::json big = good;    // 65536 x 65536 workers would overflow int
  big["ranks"] = 65536;
  big["threads_per_rank"] = 65536;
  big["workers"] = 4294967296LL;
  bad.emplace_back(big, "workers");
  for (const char* key : {"rank", "thread", "items", "compute_s"}) {
    nlohmann::json r = good;
    r["repeats"][0]["workers"][0][key] = "x";
    bad.emplace_back(r, key);
  }
  nlohmann::json not_object = good;
  not_object["repeats"][0]["workers"][0] = 1;
  bad.emplace_back(not_object, "workers");
  std::string text = good.dump() + "\n";
  for (const auto& [r, key] : bad) text += r.dump() + "\n";
  const Loaded loaded = load({dir.file("a.jsonl", text)});
  EXPECT_EQ(loaded.records.size(), 1U);
  ASSERT_EQ(loaded.problems.size(), bad.size());
  for (std::size_t i = 0; i < bad.size(); ++i)
    EXPECT_NE(loaded.problems[i].what.find(bad[i].second), std::string::npos) << loaded.problems[i].what;
  std::vector<std::string> notes;
  EXPECT_EQ(summarize(loaded.records, notes).size(), 1U);
}

TEST(ScalingTest, EmptyInputGivesNoRecords) {
  const TempDir dir;
  const Loaded loaded = load({dir.file("empty.jsonl", "")});
  EXPECT_TRUE(loaded.records.empty());
  EXPECT_TRUE(loaded.problems.empty());
}

TEST(ScalingTest, FormatsCarryEveryPoint) {
  std::vector<std::string> notes;
  const auto groups = summarize({record("serial", 1, 1, {4.0}), record("mpi", 2, 1, {2.0})}, notes);
  const std::string csv = render(groups, "csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);  // header + 2 points
  EXPECT_NE(csv.find("ep,strong,class=S,mpi,2,2,1,2.000000"), std::string::npos);
  const std::string md = render(groups, "md");
  EXPECT_NE(md.find("| mpi | 2 |"), std::string::npos);
  const std::string json = render(groups, "json");
  std::size_t lines = 0;
  for (std::size_t pos = 0; pos < json.size();) {
    const std::size_t end = json.find('\n', pos);
    const auto j = nlohmann::json::parse(json.substr(pos, end - pos));
    EXPECT_EQ(j["schema"], "pardemo.scaling/1");
    pos = end + 1;
    ++lines;
  }
  EXPECT_EQ(lines, 2U);
  EXPECT_NE(render(groups, "table").find("speedup"), std::string::npos);
}

bool starts_with_bytes(const std::string& path, const std::string& magic) {
  std::ifstream in(path, std::ios::binary);
  std::string head(magic.size(), '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  return in && head == magic;
}

TEST(PlotTest, WritesValidPngAndSvgAndNoTemporaries) {
  const TempDir dir;
  std::vector<std::string> notes;
  const auto groups = summarize({record("serial", 1, 1, {4.0}), record("mpi", 2, 1, {2.2}), record("mpi", 3, 1, {1.6}),
                                 record("threads", 1, 2, {2.1})},
                                notes);
  const auto images = plot::scaling_plots(groups, dir.path() + "/plots", "test machine");
  ASSERT_EQ(images.size(), 8U);
  for (const auto& image : images) {
    ASSERT_TRUE(fs::exists(image)) << image;
    EXPECT_GT(fs::file_size(image), 1000U) << image;
    if (image.ends_with(".png")) {
      EXPECT_TRUE(starts_with_bytes(image, "\x89PNG\r\n\x1a\n")) << image;
    } else {
      std::string text(fs::file_size(image), '\0');
      std::ifstream(image, std::ios::binary).read(text.data(), static_cast<std::streamsize>(text.size()));
      EXPECT_NE(text.find("<svg"), std::string::npos) << image;
      EXPECT_NE(text.find("</svg>"), std::string::npos) << image;
    }
  }
  for (const auto& entry : fs::directory_iterator(dir.path() + "/plots"))
    EXPECT_FALSE(entry.path().string().ends_with(".tmp")) << entry.path();
}

TEST(PlotTest, FileStemsAreSafe) {
  EXPECT_EQ(plot::file_stem("ep strong class=S m=24"), "ep-strong-class-s-m-24");
  EXPECT_EQ(plot::file_stem("../../etc/passwd"), "..-..-etc-passwd");
  EXPECT_EQ(plot::file_stem("///"), "plot");
}

}  // namespace
}  // namespace pardemo::report::scaling
