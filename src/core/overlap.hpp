#pragma once
// The work of one task of `pardemo overlap`: a fixed number of steps of a
// pseudo-random recurrence that no compiler can shorten (each step depends on
// the last). Pure: no threads, no clocks, no I/O. A task may be computed in one
// go or in slices, in any order relative to other tasks: the answer depends only
// on the task's number and its step count, so every way of scheduling the tasks
// must give the same checksum.
#include <cstdint>
#include <span>

namespace pardemo::core::overlap {

// The state a task starts from: distinct for every task number.
std::uint64_t seed(std::uint64_t task);

// `steps` steps of the recurrence from `state`. advance(advance(s, a), b) ==
// advance(s, a + b): slicing a task does not change its answer.
std::uint64_t advance(std::uint64_t state, std::uint64_t steps);

// A task computed in one go: advance(seed(task), steps).
std::uint64_t task_value(std::uint64_t task, std::uint64_t steps);

// The checksum of the tasks' values, taken in task order (FNV-1a over their
// bytes): equal only when every task has the same value in the same place.
std::uint64_t checksum(std::span<const std::uint64_t> values);

}  // namespace pardemo::core::overlap
