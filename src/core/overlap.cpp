#include "core/overlap.hpp"

namespace pardemo::core::overlap {

std::uint64_t seed(std::uint64_t task) {
  // splitmix64 of the task number: neighbouring tasks start far apart.
  std::uint64_t z = task + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return z == 0 ? 1 : z;  // xorshift never leaves 0
}

std::uint64_t advance(std::uint64_t state, std::uint64_t steps) {
  // xorshift64 (Marsaglia): a dependent chain of shifts and xors per step.
  std::uint64_t x = state;
  for (std::uint64_t i = 0; i < steps; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  return x;
}

std::uint64_t task_value(std::uint64_t task, std::uint64_t steps) { return advance(seed(task), steps); }

std::uint64_t checksum(std::span<const std::uint64_t> values) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (const std::uint64_t v : values) {
    for (int byte = 0; byte < 8; ++byte) {
      h ^= (v >> (8 * byte)) & 0xFFU;
      h *= 0x100000001B3ULL;
    }
  }
  return h;
}

}  // namespace pardemo::core::overlap
