/**
 * The numa module's native boundary, one class per syscall family: {@link io.dwcp.numa.linux.LinuxSched}
 * (affinity, gettid, getcpu) and {@link io.dwcp.numa.linux.LinuxMemory} (mmap, madvise, mbind,
 * set_mempolicy). They take and return Java types; the policy and the fallbacks live in {@code io.dwcp.numa}.
 */
package io.dwcp.numa.linux;
