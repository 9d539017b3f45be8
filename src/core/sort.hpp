#pragma once
// Sample sort of N 64-bit keys, the pieces every backend shares. No MPI and no
// threads here: the backends decide who runs which piece on which keys.
//
// The steps, for P workers each holding one block of the input:
//   1. generate its block (key(i) needs only i, so nobody generates another's keys)
//   2. sort it locally
//   3. take P regular samples of the sorted block
//   4. from all P*P samples, sorted, choose P-1 splitters (the same on every worker)
//   5. cut the sorted block into P buckets at the splitters (keys <= splitter j go
//      to bucket j or lower), bucket j going to worker j
//   6. merge the P sorted runs received
// Worker j then holds the j-th stretch of the sorted output.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/range.hpp"

namespace pardemo::core::sort {

using Key = std::uint64_t;

// SplitMix64 (Steele, Lea, Flood 2014; the finalizer of Java's SplittableRandom):
// a bijection of 64-bit words that mixes every input bit into every output bit.
constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline constexpr std::uint64_t kDefaultSeed = 20261128ULL;
inline constexpr std::uint64_t kMaxKeys = 1ULL << 32;

struct Params {
  std::uint64_t n = 0;  // keys
  std::uint64_t seed = kDefaultSeed;
  // 0: keys over all 2^64 values (duplicates are rare); otherwise keys lie in
  // [0, distinct), so each value repeats about n / distinct times: many equal
  // keys land on the same splitter and the buckets come out uneven.
  std::uint64_t distinct = 0;
};

// Empty when `p` is usable, otherwise one line naming the bad value.
std::string validate(const Params& p);

struct ClassInfo {
  char name;
  Params params;
};
// Classes S (2^20 keys), W (2^22), A (2^24), B (2^26), C (2^28), default seed.
const std::vector<ClassInfo>& classes();
std::optional<Params> find_class(char name);
inline constexpr char kDefaultClass = 'A';

// Key i of the input.
constexpr Key key(const Params& p, std::uint64_t i) {
  const Key k = splitmix64(p.seed + i);
  return p.distinct == 0 ? k : k % p.distinct;
}

// Keys r.begin .. r.end - 1 of the input, in index order, into `out`
// (out.size() == r.size()).
void generate_keys(const Params& p, Range r, std::span<Key> out);
std::vector<Key> generate_keys(const Params& p, Range r);

// Sorts ascending. An LSD radix sort (6 passes of 11 bits; a pass in which every
// key has the same digit, common with few distinct keys, is skipped) for 256 keys
// and more, std::sort below that. Needs a scratch copy of the keys. On the shared
// 2-core development VM, which is memory-bound, it measured on par with std::sort
// for 2^24 random keys (1.67 s vs 1.63 s; 8-bit digits 1.84 s); it is kept for
// machines with the memory bandwidth to profit from 6 linear passes.
void local_sort(std::span<Key> keys);
// The same order by std::sort, for comparison and as the reference.
void reference_sort(std::span<Key> keys);

// `count` regular samples of a sorted block: the keys at positions
// floor((2j + 1) * m / (2 count)), j = 0 .. count - 1 (centred in count equal
// stretches). An empty block gives no samples; a block shorter than `count`
// gives repeated keys.
std::vector<Key> regular_samples(std::span<const Key> sorted, std::size_t count);

// parts - 1 splitters from the samples of all blocks (in any order): the samples
// sorted, then the ones at positions floor(j * s / parts), j = 1 .. parts - 1.
// No samples (no keys anywhere): parts - 1 copies of the largest key, so
// everything goes to bucket 0.
std::vector<Key> choose_splitters(std::vector<Key> samples, std::size_t parts);

// Where a sorted block is cut by the splitters: splitters.size() + 2 positions,
// 0, upper_bound(splitter 0), ..., upper_bound(last splitter), m; bucket b is
// [bounds[b], bounds[b + 1]). Keys equal to a splitter go to the lower bucket.
std::vector<std::size_t> bucket_bounds(std::span<const Key> sorted, std::span<const Key> splitters);

// K-way merge of sorted runs into `out` (out.size() == total length), by pairwise
// std::merge rounds (log2 K passes over the data, each a linear, branch-light
// std::merge). Measured against concatenating and sorting again: 2^24 keys in
// 2, 4, 16 runs merged in 0.26, 0.21, 0.38 s, re-sorted in 1.9 to 2.6 s (shared VM).
void merge_runs(std::span<const std::span<const Key>> runs, std::span<Key> out);

// One part of a merge shared by several workers: part `part` of
// splitters.size() + 1 is the stretch of every run between the splitters
// part - 1 and part (bucket_bounds), merged into its place in `out`, which holds
// the merge of all the runs. Parts write disjoint stretches of `out`, so workers
// can run them at the same time. Returns the stretch of `out` written.
Range merge_part(std::span<const std::span<const Key>> runs, std::span<const Key> splitters, std::size_t part,
                 std::span<Key> out);

// Order-independent summary of a multiset of keys: count, the sum of
// splitmix64(key) mod 2^64 and the xor of splitmix64(key). Any permutation gives
// the same checksum; losing, duplicating or changing a key changes it (but for
// a 2^-64 chance).
struct Checksum {
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
  std::uint64_t xor_of = 0;

  void add(Key k) {
    const std::uint64_t h = splitmix64(k);
    ++count;
    sum += h;
    xor_of ^= h;
  }
  void add(const Checksum& o) {
    count += o.count;
    sum += o.sum;
    xor_of ^= o.xor_of;
  }
  friend bool operator==(const Checksum&, const Checksum&) = default;
};

Checksum checksum(std::span<const Key> keys);
// The checksum of input keys r.begin .. r.end - 1, straight from the generator.
Checksum input_checksum(const Params& p, Range r);

}  // namespace pardemo::core::sort
