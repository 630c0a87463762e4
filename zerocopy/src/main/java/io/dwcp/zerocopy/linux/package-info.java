/**
 * The native side of the data plane, and the only code in this module that calls libc. Boundary classes, one
 * per syscall family, hold the downcall handles and return {@code result or -errno} without allocating:
 * {@code LinuxSockets} (socket calls, send/recv/sendmsg/recvmsg, poll), {@code LinuxZeroCopy} (sendfile,
 * splice, pipes), {@code LinuxFiles} (openat/openat2 and the {@code *at} family, pread/pwrite, fallocate,
 * fsync, statx), {@code LinuxTree} (getdents64, fchownat, linkat, mknodat: a tree's shape),
 * {@code LinuxFileCopy} (the FICLONE/FICLONERANGE ioctls, copy_file_range, lseek for data and holes) and
 * {@code LinuxMapping} (mmap, munmap, madvise); {@code Sys} holds the ABI constants
 * (x86-64 and arm64). Everything else here turns those results into the module's Java types.
 *
 * <p>Design points: fds are owned through {@code FdHolder}, which lets a close from any thread wake a blocked
 * call (shutdown first) and closes the fd only when no call is still inside, so a recycled fd number is never
 * used by mistake. Data buffers are passed as addresses of native segments (no slice objects); per-call
 * structures (sendfile offsets, msghdr and iovecs, the splice pipe, error-queue control buffers) are
 * allocated once per socket. {@code NativeProbe} exercises each path once on loopback and a temp file, since
 * a symbol in libc says nothing about what a seccomp filter or the kernel allows.
 */
package io.dwcp.zerocopy.linux;
