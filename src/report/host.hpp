#pragma once
// Where this process runs: host name, address and network namespace, so a record
// shows that ranks on different machines (or namespaces) really took part.
#include <string>

namespace pardemo::report {

std::string host_name();

// The first IPv4 address of an interface that is up and not loopback; "" when none.
std::string host_address();

// This process's network namespace: its name when it is one of /run/netns (as
// `ip netns` creates), otherwise the kernel's "net:[inode]".
std::string network_namespace();

}  // namespace pardemo::report
