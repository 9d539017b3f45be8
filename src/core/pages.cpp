#include "core/pages.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <new>
#include <utility>

namespace pardemo::core::pages {

std::size_t page_size() {
  static const auto size = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return size;
}

namespace {

std::uintptr_t round_up(std::uintptr_t a) { return (a + page_size() - 1) & ~(page_size() - 1); }
std::uintptr_t round_down(std::uintptr_t a) { return a & ~(page_size() - 1); }
std::uintptr_t address(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }
// NOLINTNEXTLINE(performance-no-int-to-ptr): the address of a page inside memory the caller holds
void* pointer(std::uintptr_t a) { return reinterpret_cast<void*>(a); }

}  // namespace

void give_back(const void* begin, const void* end) {
  const std::uintptr_t from = round_up(address(begin));
  const std::uintptr_t to = round_down(address(end));
  if (to > from) madvise(pointer(from), to - from, MADV_DONTNEED);
}

Mapping::Mapping(std::size_t bytes) {
  if (bytes == 0) return;
  const std::size_t whole = round_up(bytes);
  void* p = mmap(nullptr, whole, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  data_ = p;
  bytes_ = whole;
}

Mapping::Mapping(Mapping&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

Mapping& Mapping::operator=(Mapping&& other) noexcept {
  if (this != &other) {
    unmap();
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

Mapping::~Mapping() { unmap(); }

void Mapping::unmap() {
  // Also unmaps whatever pages were moved in, and skips the holes left by pages moved out.
  if (data_ != nullptr) munmap(data_, bytes_);
  data_ = nullptr;
  bytes_ = 0;
}

void Recycler::stop_moving() {
  // From now on every kept page goes back and data is written to fresh pages.
  moves_ = false;
  for (const Span& s : kept_) give_back(pointer(s.begin), pointer(s.end));
  kept_.clear();
  kept_bytes_ = 0;
}

void Recycler::donate(const void* begin, const void* end) {
  Span s{round_up(address(begin)), round_down(address(end))};
  if (s.end <= s.begin) return;
  if (!moves_) {
    give_back(begin, end);
    return;
  }
  // Adjacent to the last donation: one piece, moved by one call.
  if (!kept_.empty() && kept_.back().end == s.begin) {
    kept_.back().end = s.end;
  } else {
    kept_.push_back(s);
  }
  kept_bytes_ += s.end - s.begin;
  while (kept_bytes_ > kKeepBytes) {  // the oldest beyond the limit go back
    Span& oldest = kept_.front();
    const std::size_t over = std::min(kept_bytes_ - kKeepBytes, oldest.end - oldest.begin);
    give_back(pointer(oldest.begin), pointer(oldest.begin + over));
    oldest.begin += over;
    kept_bytes_ -= over;
    if (oldest.begin == oldest.end) kept_.pop_front();
  }
}

std::byte* Recycler::place(void* begin, void* end) {
  std::uintptr_t at = round_up(address(begin));
  const std::uintptr_t stop = round_down(address(end));
#ifdef __linux__
  while (moves_ && at < stop && !kept_.empty()) {
    Span& from = kept_.front();
    const std::size_t bytes = std::min(stop - at, from.end - from.begin);
    void* moved = mremap(pointer(from.begin), bytes, bytes, MREMAP_MAYMOVE | MREMAP_FIXED, pointer(at));
    if (moved == MAP_FAILED) {  // nothing moved
      stop_moving();
      break;
    }
    from.begin += bytes;
    kept_bytes_ -= bytes;
    placed_bytes_ += bytes;
    at += bytes;
    if (from.begin == from.end) kept_.pop_front();
  }
#else
  stop_moving();
#endif
  return static_cast<std::byte*>(pointer(at));
}

}  // namespace pardemo::core::pages
