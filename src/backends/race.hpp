#pragma once
// The shared-state hazard, measured: `threads` threads each add 1 to a count K
// times, five ways. Only the first shares a counter without synchronisation and
// loses updates; the other four are exact, and their times show what exactness
// costs (a lock, an atomic read-modify-write, or nothing shared at all).
//
// lost = expected - observed is left to the caller.
#include <boost/mpi/communicator.hpp>
#include <cstdint>
#include <string>

namespace pardemo::backends::race {

struct Outcome {
  std::string way;
  std::uint64_t expected = 0;  // workers * k
  std::uint64_t observed = 0;  // the count the way ended with
  double seconds = 0;          // from the common start to the final count
};

// One shared std::atomic, incremented as a separate relaxed load and relaxed
// store: two threads can both read n and both write n + 1, so increments are
// lost, yet there is no data race in the C++ sense and no undefined behaviour.
// observed <= expected always; observed == expected with one thread.
Outcome unsynchronized(int threads, std::uint64_t k);

// A plain shared count, each increment under one std::mutex.
Outcome with_mutex(int threads, std::uint64_t k);

// One shared std::atomic, each increment an atomic fetch_add.
Outcome with_atomic(int threads, std::uint64_t k);

// Nothing shared while running: each thread counts in a local variable and
// writes its own slot once, after its loop; the slots are summed after join.
// This is how the threads backend works.
Outcome with_partials(int threads, std::uint64_t k);

// Nothing shared at all: every rank of `comm` counts k privately, on one thread,
// and the counts are summed at rank 0 by message. expected = comm.size() * k on
// every rank; observed and seconds are rank 0's (observed is 0 on the others).
// Collective: every rank of `comm` must call it.
Outcome with_messages(const boost::mpi::communicator& comm, std::uint64_t k);

}  // namespace pardemo::backends::race
