#include "backends/backend.hpp"

namespace pardemo::backends {

std::string_view to_string(Kind k) {
  switch (k) {
    case Kind::serial: return "serial";
    case Kind::threads: return "threads";
    case Kind::mpi: return "mpi";
    case Kind::hybrid: return "hybrid";
  }
  return "?";
}

std::optional<Kind> parse_kind(std::string_view s) {
  for (Kind k : {Kind::serial, Kind::threads, Kind::mpi, Kind::hybrid})
    if (s == to_string(k)) return k;
  return std::nullopt;
}

std::string_view to_string(core::Split s) {
  switch (s) {
    case core::Split::block: return "block";
    case core::Split::cyclic: return "cyclic";
    case core::Split::dynamic: return "dynamic";
  }
  return "?";
}

std::optional<core::Split> parse_split(std::string_view s) {
  if (s == "block") return core::Split::block;
  if (s == "cyclic") return core::Split::cyclic;
  if (s == "dynamic") return core::Split::dynamic;
  return std::nullopt;
}

}  // namespace pardemo::backends
