// The JSON-lines records `pardemo report` reads: any bytes as a record file,
// through the same steps as the report command (load, summarize, render in every
// format). The report names each unusable line and goes on; nothing in these
// steps is meant to throw, so nothing is caught here: an exception escaping them
// would end `pardemo report` with std::terminate.
//
// The file is a memfd, so each run reads a real file without touching the disk.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "report/scaling.hpp"

namespace scaling = pardemo::report::scaling;

namespace {

std::string memfd_path() {
  static const int fd = ::memfd_create("fuzz_records", 0);
  if (fd < 0) std::abort();
  return "/proc/self/fd/" + std::to_string(fd);
}

void write_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
  const int fd = std::stoi(path.substr(path.rfind('/') + 1));
  if (::ftruncate(fd, 0) != 0) std::abort();
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
    if (n <= 0) std::abort();
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 1 << 16) return -1;
  const std::string path = memfd_path();
  write_file(path, data, size);

  const scaling::Loaded loaded = scaling::load({path});
  FUZZ_CHECK(loaded.records.size() == loaded.origins.size(), "records and origins differ");
  // Every line that is not blank is either a record or a named problem.
  std::size_t lines = 0;
  std::size_t pos = 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (text.substr(pos, end - pos).find_first_not_of(" \t\r") != std::string::npos) ++lines;
    pos = end + 1;
  }
  FUZZ_CHECK(loaded.records.size() + loaded.problems.size() == lines, "%zu records + %zu problems for %zu lines",
             loaded.records.size(), loaded.problems.size(), lines);
  for (const auto& p : loaded.problems) {
    FUZZ_CHECK(p.where.starts_with(path + ":"), "a problem without its line: %s", p.where.c_str());
    FUZZ_CHECK(!p.what.empty(), "a problem without a reason at %s", p.where.c_str());
  }
  for (const auto& r : loaded.records) FUZZ_CHECK(scaling::check_record(r).empty(), "a kept record fails the check");

  std::vector<std::string> notes;
  const auto groups = scaling::summarize(loaded.records, notes);
  std::size_t pooled = 0;
  for (const auto& g : groups) {
    for (const auto& p : g.points) {
      FUZZ_CHECK(p.records >= 1, "an empty point");
      FUZZ_CHECK(p.wall.min <= p.wall.median && p.wall.median <= p.wall.max, "wall min <= median <= max");
    }
    pooled += g.record_count;
  }
  FUZZ_CHECK(pooled <= loaded.records.size(), "more records pooled than read");
  for (const char* format : {"table", "md", "csv"}) (void)scaling::render(groups, format);
  // The JSON summary is JSON lines that read back.
  const std::string lines_out = scaling::render(groups, "json");
  pos = 0;
  while (pos < lines_out.size()) {
    const std::size_t end = lines_out.find('\n', pos);
    FUZZ_CHECK(end != std::string::npos, "the JSON summary does not end its last line");
    FUZZ_CHECK(!nlohmann::json::parse(lines_out.substr(pos, end - pos), nullptr, false).is_discarded(),
               "a JSON summary line does not parse");
    pos = end + 1;
  }
  return 0;
}
