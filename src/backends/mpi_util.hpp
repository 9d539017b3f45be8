#pragma once
// Small MPI helpers shared by the distributed drivers and the command line.
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/request.hpp>
#include <array>
#include <optional>
#include <cstdint>
#include <string>

namespace pardemo::backends {

// A barrier that waits without burning a core: ranks poll a non-blocking barrier
// and sleep between polls (a short spin first, then backing off to 1 ms). With
// more ranks than cores, a spinning wait would steal the core of the rank being
// waited for and the timings would lie.
void sleepy_barrier(const boost::mpi::communicator& comm);

// Lines every rank up before a timed region: a sleepy barrier (everyone awake),
// then an ordinary barrier (everyone leaves together, within microseconds).
void synchronize(const boost::mpi::communicator& comm);

// CPUs this process may run on (its affinity mask, which mpirun's --bind-to and
// SLURM's --cpus-per-task set): the threads that can truly run in parallel.
int usable_cpus();

// The dynamic split's manager/worker protocol. Rank 0 owns the chunk counter:
// it keeps its own queue filled and answers the other ranks' requests. Every
// other rank asks rank 0 for as many chunks as its queue lacks whenever it
// holds fewer than kChunksAhead per thread; rank 0 hands out that many
// consecutive chunks, but never more than a 2 x ranks-th of those left (as in
// guided self-scheduling), so near the end no rank sits on chunks while
// another has none; it answers "none left" (a count of 0) at the end, and every
// queue is closed. No thread is set aside for it: the main thread of each rank
// (the only one that calls MPI) is also a compute thread and drives the
// protocol between its chunks through next_for_main(); the rank's other
// threads take chunks with ChunkQueue::pop().
//
// A request is therefore answered when rank 0's main thread is between two of
// its chunks, and the reply read when the asking rank's main thread is: up to
// two chunks of latency, which the chunks held ahead must cover. Measured with
// mandelbrot rows on 2 ranks of the 2-core VM: 2 ahead gave efficiency 0.71,
// 4 ahead 0.93. Rank 0 refills its own queue between its main thread's chunks
// and so holds only 2 x threads - 1: what it holds at the end, the others wait for.
inline constexpr std::size_t kChunksAhead = 4;
class ChunkQueue;
class ChunkDispatcher {
 public:
  // `threads`: the rank's compute threads, main thread included.
  ChunkDispatcher(const boost::mpi::communicator& comm, std::uint64_t chunks, std::size_t threads, ChunkQueue& queue);
  ChunkDispatcher(const ChunkDispatcher&) = delete;
  ChunkDispatcher& operator=(const ChunkDispatcher&) = delete;
  ~ChunkDispatcher();

  // The main thread's next chunk: serves the protocol, then takes a chunk from
  // the queue; while none is there, serves and naps (5 us growing to 200 us).
  // nullopt once no chunk is left for this rank and the protocol has ended
  // (on rank 0: every other rank has been told).
  std::optional<std::uint64_t> next_for_main();
  // Seconds the main thread spent in MPI calls.
  [[nodiscard]] double seconds_in_mpi() const { return in_mpi_; }

 private:
  void serve();  // one non-blocking round of the protocol
  [[nodiscard]] bool finished() const;

  const boost::mpi::communicator& comm_;
  std::uint64_t chunks_;
  std::size_t depth_;  // chunks to hold ready
  ChunkQueue& queue_;
  double in_mpi_ = 0;
  std::uint64_t next_ = 0;                    // rank 0: the next chunk to hand out
  int stopped_ = 0;                           // rank 0: ranks told that none is left
  bool closed_ = false;                       // this rank's queue closed
  bool asking_ = false;                       // other ranks: a request in flight
  std::array<std::uint64_t, 2> given_{0, 0};  // other ranks: the reply, first chunk and count
  boost::mpi::request reply_;
};

// The MPI library's own version string, one line.
std::string mpi_library_version();

}  // namespace pardemo::backends
