#!/bin/sh
# no_aslr.sh <program> [args...]: runs the program with address-space layout
# randomisation off, where the kernel lets this user do that, and as is otherwise.
#
# Why: the ThreadSanitizer runtime of GCC 12 (libtsan2) expects the memory layout
# of a kernel that randomises mmap with at most 28 bits; where vm.mmap_rnd_bits is
# 32 (some newer distribution kernels) it dies at start with "FATAL:
# ThreadSanitizer: unexpected memory mapping". Turning ASLR off for this one
# process avoids that without root (the sysctl would need it). Some container
# seccomp profiles refuse the personality call; then we run as is.
if setarch "$(uname -m)" -R true 2>/dev/null; then
  exec setarch "$(uname -m)" -R "$@"
fi
exec "$@"
