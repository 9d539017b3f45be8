#include "cli/watchdog.hpp"

#include <fmt/format.h>
#include <mpi.h>

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pardemo::cli {

Watchdog::Watchdog(double seconds, int rank, int exit_code) {
  if (seconds <= 0) return;
  const auto limit = std::chrono::duration<double>(seconds + (rank == 0 ? 0.0 : 5.0));
  thread_ = std::thread([this, limit, seconds, rank, exit_code] {
    std::unique_lock lock(mutex_);
    if (cv_.wait_for(lock, limit, [this] { return done_; })) return;
    if (rank == 0) {
      fmt::print(stderr, "pardemo: error: --timeout {} s expired before the job finished; stopping it (exit code {})\n",
                 seconds, exit_code);
    }
    // Ranks other than 0 fire later and only when rank 0 could not end the job.
    std::fflush(nullptr);
    // MPI_Abort ends every rank with this exit code under mpirun and srun alike (a
    // rank that merely exits is reported by srun as killed, 137). Not yet started
    // or already finished: exit.
    int started = 0;
    int finished = 0;
    MPI_Initialized(&started);
    MPI_Finalized(&finished);
    if (started != 0 && finished == 0) MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::_Exit(exit_code);
  });
}

Watchdog::~Watchdog() {
  if (!thread_.joinable()) return;
  {
    const std::lock_guard lock(mutex_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

namespace {
int signal_rank = 0;

// Only async-signal-safe calls: write(2) and _exit(2).
extern "C" void on_stop_signal(int signo) {
  if (signal_rank == 0) {
    const char* text = signo == SIGINT ? "pardemo: stopped by SIGINT before the job finished\n"
                                       : "pardemo: stopped by SIGTERM before the job finished\n";
    (void)!::write(STDERR_FILENO, text, std::strlen(text));
  }
  ::_exit(128 + signo);
}
}  // namespace

void stop_on_signals(int rank) {
  signal_rank = rank;
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  for (int signo : {SIGINT, SIGTERM}) ::sigaction(signo, &sa, nullptr);
}

}  // namespace pardemo::cli
