#pragma once
// The chunks a rank has been handed under the dynamic split, waiting for its
// compute threads. The rank's main thread fills it (from rank 0, by message) and
// closes it when no chunks are left; the other compute threads take from it
// with pop(), the main thread with try_pop() between rounds of the protocol.
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>

namespace pardemo::backends {

class ChunkQueue {
 public:
  void push(std::uint64_t chunk) {
    {
      std::lock_guard lock(mutex_);
      chunks_.push_back(chunk);
    }
    ready_.notify_one();
  }
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
  }
  // The next chunk; waits while the queue is empty and open; nullopt once closed and drained.
  std::optional<std::uint64_t> pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !chunks_.empty() || closed_; });
    if (chunks_.empty()) return std::nullopt;
    const std::uint64_t c = chunks_.front();
    chunks_.pop_front();
    return c;
  }
  // The next chunk if one is queued, without waiting.
  std::optional<std::uint64_t> try_pop() {
    std::lock_guard lock(mutex_);
    if (chunks_.empty()) return std::nullopt;
    const std::uint64_t c = chunks_.front();
    chunks_.pop_front();
    return c;
  }
  [[nodiscard]] std::size_t size() {
    std::lock_guard lock(mutex_);
    return chunks_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::uint64_t> chunks_;
  bool closed_ = false;
};

}  // namespace pardemo::backends
