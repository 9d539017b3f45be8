#pragma once
// The human-readable timing summary: who computed, who waited, who talked.
#include <string>
#include <vector>

#include "report/record.hpp"

namespace pardemo::report {

// A plain aligned text table; the first column is left-aligned, the rest right.
std::string render_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

// Header lines: workload, parameters, where it ran.
std::string describe_job(const RunRecord& first, const JobInfo& job, int repeat);

// One row per run: workers, wall time (median [min, max]), rate, speedup and
// efficiency against the serial run among `runs` (when there is one), verified.
std::string timing_table(const std::vector<RunRecord>& runs);

// Per-worker compute / communicate / wait (min / avg / max) and the imbalance,
// from each run's median repeat.
std::string worker_table(const std::vector<RunRecord>& runs);

// Stencil with the overlapping exchange, per rank of each run that measured it
// (median repeat): the blocking exchange's time, the overlap's exposed time, and
// the hidden difference. Empty when no run did.
std::string halo_table(const std::vector<RunRecord>& runs);

// For runs that time their iterations alone (stencil): the rate over those, the
// way PRK reports it, next to the rate over the whole wall. Empty when none does.
std::string iteration_rates(const std::vector<RunRecord>& runs);

// The answer and how it was checked, NPB style.
std::string verification_lines(const std::vector<RunRecord>& runs);

// Speedup of `run` against `serial` (ratio of median walls) and efficiency.
double speedup(const RunRecord& serial, const RunRecord& run);
double efficiency(const RunRecord& serial, const RunRecord& run);

}  // namespace pardemo::report
