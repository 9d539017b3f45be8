#pragma once
// Wall-clock timing and the per-worker time record every backend fills in.
#include <array>
#include <chrono>
#include <cstdint>

namespace pardemo::report {

class Stopwatch {
 public:
  using Clock = std::chrono::steady_clock;
  Stopwatch() : start_(Clock::now()) {}
  void restart() { start_ = Clock::now(); }
  [[nodiscard]] double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  [[nodiscard]] Clock::time_point started() const { return start_; }

 private:
  Clock::time_point start_;
};

inline double seconds_between(Stopwatch::Clock::time_point a, Stopwatch::Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// One stretch of a worker's timeline, in seconds on its host's steady clock
// (records subtract each rank's start, so ranks line up at their common barrier).
struct Span {
  enum Phase : std::int32_t { compute = 0, comm = 1, wait = 2 };
  double start = 0;
  double end = 0;
  std::int32_t phase = compute;
  std::int32_t padding = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    // An archive operation, not a reference declaration: keep the spaces.
    // clang-format off
    ar & start & end & phase & padding;
    // clang-format on
  }
};

inline double clock_seconds(Stopwatch::Clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// Where one worker (a rank, or a thread of a rank) spent a run.
// compute: its own share of the workload. wait: idle, waiting for slower workers.
// comm: moving partial results between address spaces (zero for threads, which
// share memory).
struct WorkerTimes {
  std::int32_t rank = 0;
  std::int32_t thread = 0;
  std::uint64_t items = 0;
  double compute = 0;
  double wait = 0;
  double comm = 0;
  // The timeline: when it computed, talked and waited. A fixed array keeps the
  // record a plain MPI datatype; spans of one phase that touch are merged, and
  // past kMaxSpans the last span is stretched (the totals above stay exact).
  static constexpr std::uint32_t kMaxSpans = 24;
  std::uint32_t span_count = 0;
  std::uint32_t padding = 0;
  std::array<Span, kMaxSpans> spans{};

  void mark(std::int32_t phase, Stopwatch::Clock::time_point from, Stopwatch::Clock::time_point to) {
    const double a = clock_seconds(from);
    const double b = clock_seconds(to);
    // Compute leaves the last few places to the waits and messages that follow it.
    const std::uint32_t room = phase == Span::compute ? kMaxSpans - 4 : kMaxSpans;
    if (span_count > 0) {
      Span& last = spans[span_count - 1];
      // Gaps under 50 us are bookkeeping between chunks, not a phase.
      const bool touching = last.phase == phase && a - last.end < 50e-6;
      if (touching || (span_count >= room && (last.phase == phase || span_count == kMaxSpans))) {
        last.end = b;
        return;
      }
    }
    spans[span_count++] = Span{a, b, phase, 0};
  }

  // Adds the time since `sw` started to `phase`'s total and marks the span.
  double charge(std::int32_t phase, const Stopwatch& sw) {
    const auto now = Stopwatch::Clock::now();
    const double s = std::chrono::duration<double>(now - sw.started()).count();
    (phase == Span::compute ? compute : phase == Span::comm ? comm : wait) += s;
    mark(phase, sw.started(), now);
    return s;
  }

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    // An archive operation, not a reference declaration: keep the spaces.
    // clang-format off
    ar & rank & thread & items & compute & wait & comm & span_count & padding & spans;
    // clang-format on
  }
};

}  // namespace pardemo::report
