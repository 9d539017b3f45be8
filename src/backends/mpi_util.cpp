#include "backends/mpi_util.hpp"

#include <boost/mpi/nonblocking.hpp>
#include <boost/mpi/request.hpp>
#include <boost/mpi/status.hpp>

#include "backends/chunk_queue.hpp"
#include "report/timer.hpp"

#include <mpi.h>
#include <sched.h>

#include <algorithm>
#include <array>
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

ChunkDispatcher::ChunkDispatcher(const boost::mpi::communicator& comm, std::uint64_t chunks, std::size_t threads,
                                 ChunkQueue& queue)
    : comm_(comm),
      chunks_(chunks),
      depth_(comm.rank() == 0 ? 2 * std::max<std::size_t>(threads, 1) - 1
                              : kChunksAhead * std::max<std::size_t>(threads, 1)),
      queue_(queue) {}

ChunkDispatcher::~ChunkDispatcher() {
  // Only after an exception: a request left in flight is cancelled, and the
  // queue is closed so no compute thread waits for a chunk for ever.
  if (asking_) {
    reply_.cancel();
    reply_.wait();
  }
  if (!closed_) queue_.close();
}

bool ChunkDispatcher::finished() const { return closed_ && (comm_.rank() != 0 || stopped_ == comm_.size() - 1); }

void ChunkDispatcher::serve() {
  report::Stopwatch sw;
  if (comm_.rank() == 0) {
    while (!closed_ && queue_.size() < depth_) {
      if (next_ < chunks_) {
        queue_.push(next_++);
      } else {
        queue_.close();
        closed_ = true;
      }
    }
    while (auto st = comm_.iprobe(boost::mpi::any_source, kTagRequest)) {
      std::uint64_t wanted = 0;
      comm_.recv(st->source(), kTagRequest, wanted);
      const std::uint64_t left = chunks_ - next_;
      const std::uint64_t fair = std::max<std::uint64_t>(1, left / (2 * static_cast<std::uint64_t>(comm_.size())));
      const std::array<std::uint64_t, 2> given{next_, std::min({wanted, left, fair})};  // first, count
      next_ += given[1];
      if (given[1] == 0) ++stopped_;
      comm_.send(st->source(), kTagChunk, given.data(), 2);
    }
  } else if (!closed_) {
    if (asking_ && reply_.test()) {
      asking_ = false;
      if (given_[1] == 0) {
        queue_.close();
        closed_ = true;
      }
      for (std::uint64_t c = given_[0]; c < given_[0] + given_[1]; ++c) queue_.push(c);
    }
    const std::size_t held = queue_.size();
    if (!closed_ && !asking_ && held < depth_) {
      const std::uint64_t wanted = depth_ - held;
      comm_.send(0, kTagRequest, wanted);
      reply_ = comm_.irecv(0, kTagChunk, given_.data(), 2);
      asking_ = true;
    }
  }
  in_mpi_ += sw.seconds();
}

std::optional<std::uint64_t> ChunkDispatcher::next_for_main() {
  Backoff backoff;
  while (true) {
    serve();
    if (auto c = queue_.try_pop()) return c;
    if (finished()) return std::nullopt;
    backoff.idle();
  }
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
