#pragma once
// What a workload is, as the backends see it: a number of independent items, a pure
// function that computes a partial result over a contiguous range of items, an
// ordered merge of partials, and a final step that turns the merged partial into
// the answer. No MPI and no threads here: backends supply both.
#include <algorithm>
#include <concepts>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/range.hpp"

namespace pardemo::core {

// A named value of a result, for summaries and JSON records.
struct Field {
  std::string name;
  std::variant<std::uint64_t, double, std::string> value;
};

struct Verification {
  bool passed = false;
  std::string reference;  // what the answer was checked against
  std::string detail;     // the comparison, in words and numbers
};

template <class W>
concept Workload = requires(const W& w, Range r, typename W::Partial p, const typename W::Result& res) {
  typename W::Partial;
  typename W::Result;
  { w.name() } -> std::convertible_to<std::string>;
  { w.items() } -> std::convertible_to<std::uint64_t>;
  { w.compute(r) } -> std::same_as<typename W::Partial>;
  // merge(acc, next): `next` covers the range that directly follows acc's.
  { W::merge(p, std::move(p)) } -> std::same_as<void>;
  { w.finish(std::move(p)) } -> std::same_as<typename W::Result>;
  { w.verify(res) } -> std::same_as<Verification>;
  { W::fields(res) } -> std::same_as<std::vector<Field>>;
  { w.parameters() } -> std::same_as<std::vector<Field>>;
};

// One contiguous range, the partial computed over it, and which worker computed it.
template <class P>
struct Piece {
  Range range;
  P partial;
  std::uint32_t worker = 0;

  template <class Archive>
  void serialize(Archive& ar, unsigned /*version*/) {
    // An archive operation, not a reference declaration: keep the spaces.
    // clang-format off
    ar & range & partial & worker;
    // clang-format on
  }
};

// A partial that is nothing but one array of plain numbers (mandelbrot's
// iteration counts), reached through flat(). The distributed drivers send such
// partials as that array, with no serialization.
template <class P>
concept FlatPartial = requires(P p) {
  typename P::flat_type;
  { p.flat() } -> std::same_as<std::vector<typename P::flat_type>&>;
};

// Merges pieces from any number of workers in item order, whoever computed them,
// so the answer does not depend on the decomposition. Throws when the pieces do
// not cover [0, items) exactly once: a decomposition bug never passes silently.
template <Workload W>
typename W::Result combine(const W& w, std::vector<Piece<typename W::Partial>> pieces) {
  std::sort(pieces.begin(), pieces.end(), [](const auto& a, const auto& b) { return a.range.begin < b.range.begin; });
  std::uint64_t next = 0;
  for (const auto& piece : pieces) {
    if (piece.range.begin != next) {
      throw std::logic_error("combine: items " + std::to_string(next) + ".." + std::to_string(piece.range.begin) +
                             " covered " + (piece.range.begin > next ? "by no worker" : "twice"));
    }
    next = piece.range.end;
  }
  if (next != w.items()) {
    throw std::logic_error("combine: items " + std::to_string(next) + ".." + std::to_string(w.items()) +
                           " covered by no worker");
  }
  if (pieces.empty()) return w.finish(w.compute(Range{0, 0}));
  typename W::Partial acc = std::move(pieces.front().partial);
  if constexpr (FlatPartial<typename W::Partial>) {
    // Room for every piece at once: the merge appends without moving the array again.
    std::size_t total = acc.flat().size();
    for (std::size_t i = 1; i < pieces.size(); ++i) total += pieces[i].partial.flat().size();
    acc.flat().reserve(total);
  }
  for (std::size_t i = 1; i < pieces.size(); ++i) W::merge(acc, std::move(pieces[i].partial));
  return w.finish(std::move(acc));
}

// True when two results are the same to the bit (doubles compared by their bits).
bool identical(const std::vector<Field>& a, const std::vector<Field>& b);

}  // namespace pardemo::core
