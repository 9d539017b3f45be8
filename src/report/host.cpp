#include "report/host.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <system_error>

namespace pardemo::report {

std::string host_name() {
  std::array<char, 256> buf{};
  if (::gethostname(buf.data(), buf.size() - 1) != 0) return "unknown";
  return buf.data();
}

std::string host_address() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return {};
  std::string found;
  for (const ifaddrs* a = list; a != nullptr && found.empty(); a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    if ((a->ifa_flags & IFF_UP) == 0U || (a->ifa_flags & IFF_LOOPBACK) != 0U) continue;
    std::array<char, INET_ADDRSTRLEN> text{};
    const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
    if (::inet_ntop(AF_INET, &in->sin_addr, text.data(), text.size()) != nullptr) found = text.data();
  }
  ::freeifaddrs(list);
  return found;
}

std::string network_namespace() {
  struct stat self {};
  if (::stat("/proc/self/ns/net", &self) != 0) return "unknown";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/run/netns", ec)) {
    struct stat other {};
    if (::stat(entry.path().c_str(), &other) == 0 && other.st_ino == self.st_ino && other.st_dev == self.st_dev)
      return entry.path().filename().string();
  }
  return "net:[" + std::to_string(self.st_ino) + "]";
}

}  // namespace pardemo::report
