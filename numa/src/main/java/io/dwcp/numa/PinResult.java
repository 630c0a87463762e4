package io.dwcp.numa;

/**
 * What pinning one thread achieved, read back rather than assumed.
 *
 * @param cpu      the CPU asked for, -1 when the thread was not to be pinned
 * @param tid      the thread's kernel id, -1 when unknown
 * @param pinned   true when {@code sched_getaffinity} reports exactly {@code cpu}
 * @param affinity the affinity {@code sched_getaffinity} reported afterwards (empty when unavailable)
 * @param status   {@code Cpus_allowed_list} from {@code /proc/self/task/TID/status} (empty when unreadable)
 * @param detail   empty when pinned, else why not ({@code reason=...} or the failing call)
 */
public record PinResult(int cpu, int tid, boolean pinned, CpuList affinity, CpuList status, String detail) {

    /** {@code cpu=1 tid=4242 pinned=true affinity=1 status=1}. */
    @Override
    public String toString() {
        return "cpu=" + cpu + " tid=" + tid + " pinned=" + pinned + " affinity=" + affinity + " status=" + status
                + (detail.isEmpty() ? "" : " " + detail);
    }
}
