#include "backends/mpi_util.hpp"

#include <boost/mpi/nonblocking.hpp>
#include <boost/mpi/request.hpp>
#include <boost/mpi/status.hpp>

#include "backends/chunk_queue.hpp"
#include "report/timer.hpp"

#include <mpi.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace pardemo::backends {

void sleepy_barrier(const boost::mpi::communicator& comm) {
  using us = std::chrono::microseconds;  // not the literal 50us: cppcheck 2.10 cannot parse it
  MPI_Request request = MPI_REQUEST_NULL;
  MPI_Ibarrier(static_cast<MPI_Comm>(comm), &request);
  int done = 0;
  const auto spin_until = std::chrono::steady_clock::now() + us(50);
  while (MPI_Test(&request, &done, MPI_STATUS_IGNORE), done == 0) {
    if (std::chrono::steady_clock::now() < spin_until) continue;
    auto nap = us(20);
    while (MPI_Test(&request, &done, MPI_STATUS_IGNORE), done == 0) {
      std::this_thread::sleep_for(nap);
      nap = std::min<us>(nap * 2, us(1000));
    }
    break;
  }
}

void synchronize(const boost::mpi::communicator& comm) {
  sleepy_barrier(comm);
  comm.barrier();
}

namespace {
constexpr int kTagRequest = 4101;
constexpr int kTagChunk = 4102;
constexpr std::uint64_t kNoMoreChunks = ~std::uint64_t{0};

// Sleeps a little longer each time nothing happened, up to 200 us.
class Backoff {
 public:
  void idle() {
    std::this_thread::sleep_for(nap_);
    nap_ = std::min<std::chrono::microseconds>(nap_ * 2, std::chrono::microseconds(200));
  }
  void busy() { nap_ = std::chrono::microseconds(5); }

 private:
  std::chrono::microseconds nap_{5};
};
}  // namespace

double dispatch_chunks(const boost::mpi::communicator& comm, std::uint64_t chunks, std::size_t depth,
                       ChunkQueue& queue) {
  double in_mpi = 0;
  Backoff backoff;
  if (comm.rank() == 0) {
    std::uint64_t next = 0;
    int stopped = 0;
    bool closed = false;
    while (stopped < comm.size() - 1 || !closed) {
      bool worked = false;
      while (!closed && queue.size() < depth) {
        if (next < chunks) {
          queue.push(next++);
        } else {
          queue.close();
          closed = true;
        }
        worked = true;
      }
      report::Stopwatch sw;
      if (auto st = comm.iprobe(boost::mpi::any_source, kTagRequest)) {
        comm.recv(st->source(), kTagRequest);
        const std::uint64_t c = next < chunks ? next++ : kNoMoreChunks;
        if (c == kNoMoreChunks) ++stopped;
        comm.send(st->source(), kTagChunk, c);
        worked = true;
      }
      in_mpi += sw.seconds();
      if (worked) {
        backoff.busy();
      } else {
        backoff.idle();
      }
    }
    return in_mpi;
  }
  while (true) {
    if (queue.size() >= depth) {
      backoff.idle();
      continue;
    }
    backoff.busy();
    report::Stopwatch sw;
    comm.send(0, kTagRequest);
    std::uint64_t c = 0;
    boost::mpi::request reply = comm.irecv(0, kTagChunk, c);
    Backoff wait;
    while (!reply.test()) wait.idle();
    in_mpi += sw.seconds();
    if (c == kNoMoreChunks) break;
    queue.push(c);
  }
  queue.close();
  return in_mpi;
}

int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0)
    return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  return std::max(1, CPU_COUNT(&set));
}

std::string mpi_library_version() {
  char buf[MPI_MAX_LIBRARY_VERSION_STRING];
  int len = 0;
  MPI_Get_library_version(buf, &len);
  buf[std::min(len, MPI_MAX_LIBRARY_VERSION_STRING - 1)] = 0;
  std::string s(buf);  // len may count the terminating NUL
  if (auto nl = s.find_first_of("\r\n"); nl != std::string::npos) s.resize(nl);
  while (!s.empty() && (s.back() == ' ' || s.back() == ',')) s.pop_back();
  return s;
}

}  // namespace pardemo::backends
