#include "backends/mpi_util.hpp"

#include <mpi.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace pardemo::backends {

void sleepy_barrier(const boost::mpi::communicator& comm) {
  using namespace std::chrono_literals;
  MPI_Request request = MPI_REQUEST_NULL;
  MPI_Ibarrier(static_cast<MPI_Comm>(comm), &request);
  int done = 0;
  const auto spin_until = std::chrono::steady_clock::now() + 50us;
  while (MPI_Test(&request, &done, MPI_STATUS_IGNORE), done == 0) {
    if (std::chrono::steady_clock::now() < spin_until) continue;
    auto nap = 20us;
    while (MPI_Test(&request, &done, MPI_STATUS_IGNORE), done == 0) {
      std::this_thread::sleep_for(nap);
      nap = std::min<std::chrono::microseconds>(nap * 2, 1000us);
    }
    break;
  }
}

void synchronize(const boost::mpi::communicator& comm) {
  sleepy_barrier(comm);
  comm.barrier();
}

int usable_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
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
