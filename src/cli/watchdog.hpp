#pragma once
// --timeout: a thread that ends the process when the job runs too long, so a
// stuck rank (or a bug) can never hang a terminal, a SLURM allocation or CI.
// It needs no MPI: the launcher sees a rank exit non-zero and ends the others.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace pardemo::cli {

class Watchdog {
 public:
  // Rank 0 reports and exits at `seconds`; other ranks exit silently a few
  // seconds later, by which time the launcher has usually ended them already.
  // seconds <= 0: no watchdog.
  Watchdog(double seconds, int rank, int exit_code);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// SIGINT and SIGTERM (Ctrl-C, mpirun passing on a signal, scancel) end the
// process at once with 128 + the signal number, after rank 0 says why on stderr:
// a stopped job is never mistaken for a finished one.
void stop_on_signals(int rank);

}  // namespace pardemo::cli
