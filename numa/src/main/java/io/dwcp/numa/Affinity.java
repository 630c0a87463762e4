package io.dwcp.numa;

import io.dwcp.core.linux.NativeIoException;
import io.dwcp.numa.linux.LinuxSched;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Pins the calling thread and reads back what the kernel made of it, twice: {@code sched_getaffinity} and the
 * thread's {@code /proc/self/task/TID/status} line {@code Cpus_allowed_list}. Never throws: a platform without
 * the calls gives an unpinned {@link PinResult} saying why.
 */
public final class Affinity {
    private Affinity() {
    }

    /** True when threads can be pinned here (Linux with {@code sched_setaffinity}). */
    public static boolean available() {
        return LinuxSched.affinityAvailable();
    }

    /** {@code native} or {@code unavailable reason=...}: the path chosen, for start-up reports. */
    public static String describe() {
        return available() ? "native" : "unavailable reason=no-sched_setaffinity";
    }

    /** The CPUs the calling thread may use; {@code fallback} where that cannot be asked. */
    public static CpuList allowed(CpuList fallback) {
        if (!available()) {
            return fallback;
        }
        try {
            return CpuList.of(LinuxSched.getAffinity());
        } catch (NativeIoException e) {
            return fallback;
        }
    }

    /** The calling thread's kernel id, or -1. */
    public static int tid() {
        return LinuxSched.gettid();
    }

    /** Pins the calling thread to {@code cpu} and reads the affinity back. */
    public static PinResult pinCurrentThread(int cpu) {
        int tid = LinuxSched.gettid();
        if (!available()) {
            return new PinResult(cpu, tid, false, CpuList.empty(), statusCpus(tid), "reason=no-sched_setaffinity");
        }
        try {
            LinuxSched.setAffinity(new int[] {cpu});
        } catch (NativeIoException | IllegalArgumentException e) {
            return new PinResult(cpu, tid, false, readBack(), statusCpus(tid), e.getMessage());
        }
        CpuList back = readBack();
        CpuList status = statusCpus(tid);
        boolean pinned = back.equals(CpuList.of(cpu));
        return new PinResult(cpu, tid, pinned, back, status, pinned ? "" : "reason=readback-differs");
    }

    /** The calling thread's state when it is deliberately not pinned. */
    public static PinResult unpinned(String why) {
        int tid = LinuxSched.gettid();
        return new PinResult(-1, tid, false, readBack(), statusCpus(tid), why);
    }

    private static CpuList readBack() {
        try {
            return available() ? CpuList.of(LinuxSched.getAffinity()) : CpuList.empty();
        } catch (NativeIoException e) {
            return CpuList.empty();
        }
    }

    /** {@code Cpus_allowed_list} of thread {@code tid} of this process; empty when unreadable. */
    public static CpuList statusCpus(int tid) {
        if (tid <= 0) {
            return CpuList.empty();
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/task", Integer.toString(tid), "status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return CpuList.parse(line.substring("Cpus_allowed_list:".length()));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // not Linux, or no procfs: the result says empty, the caller reports it
        }
        return CpuList.empty();
    }
}
