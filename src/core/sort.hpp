#pragma once
// Sample sort of N 64-bit keys, the pieces every backend shares. No MPI and no
// threads here: the backends decide who runs which piece on which keys.
//
// The steps, for P workers each holding one block of the input:
//   1. generate its block (key(i) needs only i, so nobody generates another's keys)
//   2. sort it locally
//   3. take samples_per_block(P) regular samples of the sorted block
//   4. from the samples of all blocks, sorted, choose P-1 splitters (the same on
//      every worker)
//   5. cut the sorted block into P buckets at the splitters (keys <= splitter j go
//      to bucket j or lower), bucket j going to worker j
//   6. merge the P sorted runs received
// Worker j then holds the j-th stretch of the sorted output.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/pages.hpp"
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

// Sorts ascending, in place, with a scratch of m / 64 keys (at least 2^16, at
// most m): in-place MSD radix passes (in the manner of American flag sort, in
// sweeps of independent swaps) over the top 4 bits that vary split the keys
// into 16 buckets, and each bucket into 16 again, until a bucket fits the
// scratch (for random keys: two passes, 256 buckets); each such bucket is
// finished by an LSD radix sort (digits of up to 11 bits, as many passes as the
// bucket's varying bits need) through the scratch. Below 256 keys, std::sort.
// The LSD radix sort of the whole block that it replaces needed a full scratch
// copy (1040 MiB peak for 2^26 keys in one process; now 520 MiB); on the
// shared 2-core development VM a serial run of 2^26 keys (generate, sort,
// check) took 1.95 s against 2.98 s before (medians of 3): counting and
// permuting passes over memory, the rest in cache, instead of 6 scatter passes.
void local_sort(std::span<Key> keys);
// The same order by std::sort, for comparison and as the reference.
void reference_sort(std::span<Key> keys);

// Regular samples each of `parts` blocks contributes to choose parts - 1
// splitters: kOversample per part. With only one per part (the textbook P), the
// single splitter of 2 parts is the upper of the samples at 1/4 and 3/4 of each
// block: worker 0 got 3/4 of the keys (2^26 keys on 2 ranks: 384 of 512 MiB on
// rank 0), and 3/4 of the merge. With 64 per part both ranks peaked at 288 MiB
// in that run, at the cost of sorting 64 P^2 samples.
inline constexpr std::size_t kOversample = 64;
constexpr std::size_t samples_per_block(std::size_t parts) { return kOversample * parts; }

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

// Gives the memory pages that lie wholly inside `keys` back to the operating
// system (pages::give_back): their contents are gone (a later read gives
// zeros). For keys that have been copied elsewhere and will not be read again;
// the pages at either end, shared with whatever lies around `keys`, are kept.
void release_pages(std::span<const Key> keys);

// Releases the pages of a run that is read front to back, as the reading
// advances: a step at a time (kStepBytes), and the rest once the whole run is
// consumed. Pages shared with a neighbouring run are never released. With a
// Recycler, the pages are donated to it instead (the run must lie in a
// pages::Mapping).
class FrontRelease {
 public:
  static constexpr std::size_t kStepBytes = std::size_t{1} << 20;
  explicit FrontRelease(std::span<const Key> run, pages::Recycler* into = nullptr) : run_(run), into_(into) {}
  // The first `count` keys of the run will not be read again.
  void consumed(std::size_t count);

 private:
  std::span<const Key> run_;
  pages::Recycler* into_;
  std::size_t released_ = 0;  // keys before this one lie in pages already released, or shared
};

// What a merge does with the pages of its input runs as it consumes them:
// keeps them (the runs are left as they were), releases them (release_pages;
// the runs' contents are lost), or recycles them: moves them under the output
// (pages::Recycler), so that the output needs almost no fresh pages. Recycling
// needs the runs and the output in pages::Mapping memory, and the output's
// pages not yet written by anyone; the consumed runs' pages are unmapped.
enum class Consumed { keep, release, recycle };

// Keys of output a merge produces at a time (512 KiB).
inline constexpr std::size_t kMergeChunk = std::size_t{1} << 16;

// K-way merge of sorted runs into `out` (out.size() == total length), one chunk
// of kMergeChunk output keys at a time: the chunk's keys are the runs' fronts up
// to a common key, merged by pairwise rounds (log2 K passes over a chunk that
// stays in cache, each a linear two-way merge without data-dependent branches) through a
// scratch of one chunk. So it needs no memory beyond the chunk, and with
// Consumed::release the runs' memory shrinks as out grows: merging two halves
// of a buffer into another takes about one buffer of memory, not two.
// Measured against concatenating and sorting again: 2^24 keys in 2, 4, 16 runs
// merged (by whole-run pairwise rounds) in 0.26, 0.21, 0.38 s, re-sorted in 1.9
// to 2.6 s (shared VM).
// `merged`, when given, is called with each chunk of out as soon as it is
// merged, while it is still in cache: a check of the output (a checksum, its
// order) done there costs no second pass over memory.
void merge_runs(std::span<const std::span<const Key>> runs, std::span<Key> out, Consumed consumed = Consumed::keep,
                const std::function<void(std::span<const Key>)>& merged = {});

// One part of a merge shared by several workers: part `part` of
// splitters.size() + 1 is the stretch of every run between the splitters
// part - 1 and part (bucket_bounds), merged into its place in `out`, which holds
// the merge of all the runs. Parts write disjoint stretches of `out`, so workers
// can run them at the same time. Returns the stretch of `out` written.
Range merge_part(std::span<const std::span<const Key>> runs, std::span<const Key> splitters, std::size_t part,
                 std::span<Key> out);

// merge_part in two steps, for workers that release the runs as they merge:
// find_part's binary searches read every run beyond the part's own stretches,
// so every worker finds its part before any starts merging (a barrier), then
// each merges its pieces with Consumed::release (which never releases a page
// shared with another part's stretch).
struct Part {
  Range out;                                 // where the part's merge goes in the merged output
  std::vector<std::span<const Key>> pieces;  // the part's stretch of every run
};
Part find_part(std::span<const std::span<const Key>> runs, std::span<const Key> splitters, std::size_t part);

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
