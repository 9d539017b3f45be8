#include "core/workload.hpp"

#include <bit>

namespace pardemo::core {

bool identical(const std::vector<Field>& a, const std::vector<Field>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].value.index() != b[i].value.index()) return false;
    if (const auto* x = std::get_if<double>(&a[i].value)) {
      if (std::bit_cast<std::uint64_t>(*x) != std::bit_cast<std::uint64_t>(std::get<double>(b[i].value))) return false;
    } else if (a[i].value != b[i].value) {
      return false;
    }
  }
  return true;
}

}  // namespace pardemo::core
