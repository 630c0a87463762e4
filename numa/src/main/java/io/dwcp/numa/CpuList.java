package io.dwcp.numa;

import java.util.Arrays;
import java.util.BitSet;

/**
 * An immutable set of CPU numbers in the kernel's list syntax, {@code 0-3,8-11,13}: what sysfs'
 * {@code cpulist} files, {@code Cpus_allowed_list} and {@code taskset -c} use. Formatting follows the kernel
 * (runs of two or more become ranges), so a list read from sysfs formats back to the same text.
 */
public final class CpuList {
    /** Highest CPU number accepted: larger values are typing errors, not machines. */
    public static final int MAX_CPU = 8191;
    private static final CpuList EMPTY = new CpuList(new int[0]);

    private final int[] cpus;

    private CpuList(int[] sortedDistinct) {
        this.cpus = sortedDistinct;
    }

    /** The empty list (what a memory-only node's {@code cpulist} holds). */
    public static CpuList empty() {
        return EMPTY;
    }

    /** The given CPUs, in any order, duplicates ignored. */
    public static CpuList of(int... cpus) {
        BitSet set = new BitSet();
        for (int cpu : cpus) {
            if (cpu < 0 || cpu > MAX_CPU) {
                throw new IllegalArgumentException("cpu=" + cpu + " reason=out-of-range max=" + MAX_CPU);
            }
            set.set(cpu);
        }
        return new CpuList(set.stream().toArray());
    }

    /** CPUs {@code 0..count-1}. */
    public static CpuList firstN(int count) {
        int[] c = new int[count];
        Arrays.setAll(c, i -> i);
        return of(c);
    }

    /**
     * Parses {@code 0-3,8-11,13}; surrounding white space (sysfs' newline) is ignored and an empty text is the
     * empty list.
     *
     * @throws IllegalArgumentException {@code cpulist="x" reason=not-a-number}, {@code reason=descending-range},
     *                                  {@code reason=empty-element}, {@code reason=missing-number},
     *                                  {@code reason=out-of-range}
     */
    public static CpuList parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            return EMPTY;
        }
        BitSet set = new BitSet();
        for (String part : s.split(",", -1)) {
            if (part.isEmpty()) {
                throw bad(text, "empty-element");
            }
            int dash = part.indexOf('-');
            int lo = number(text, dash < 0 ? part : part.substring(0, dash));
            int hi = dash < 0 ? lo : number(text, part.substring(dash + 1));
            if (hi < lo) {
                throw bad(text, "descending-range");
            }
            set.set(lo, hi + 1);
        }
        return new CpuList(set.stream().toArray());
    }

    private static int number(String text, String digits) {
        if (digits.isEmpty() || digits.length() > 5) {
            throw bad(text, digits.isEmpty() ? "missing-number" : "out-of-range");
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                throw bad(text, "not-a-number");
            }
        }
        int n = Integer.parseInt(digits);
        if (n > MAX_CPU) {
            throw bad(text, "out-of-range");
        }
        return n;
    }

    private static IllegalArgumentException bad(String text, String reason) {
        return new IllegalArgumentException("cpulist=\"" + text.strip() + "\" reason=" + reason
                + (reason.equals("out-of-range") ? " max=" + MAX_CPU : ""));
    }

    public int size() {
        return cpus.length;
    }

    public boolean isEmpty() {
        return cpus.length == 0;
    }

    /** The i-th CPU in ascending order. */
    public int get(int i) {
        return cpus[i];
    }

    public boolean contains(int cpu) {
        return Arrays.binarySearch(cpus, cpu) >= 0;
    }

    /** The CPUs, ascending (a copy). */
    public int[] toArray() {
        return cpus.clone();
    }

    /** The CPUs in both lists. */
    public CpuList intersect(CpuList other) {
        return new CpuList(Arrays.stream(cpus).filter(other::contains).toArray());
    }

    /** The CPUs of this list that {@code other} lacks. */
    public CpuList minus(CpuList other) {
        return new CpuList(Arrays.stream(cpus).filter(c -> !other.contains(c)).toArray());
    }

    /** The kernel's list syntax: {@code 0-3,8-11,13}; empty for the empty list. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cpus.length; ) {
            int j = i;
            while (j + 1 < cpus.length && cpus[j + 1] == cpus[j] + 1) {
                j++;
            }
            b.append(b.isEmpty() ? "" : ",").append(cpus[i]);
            if (j > i) {
                b.append('-').append(cpus[j]);
            }
            i = j + 1;
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpuList other && Arrays.equals(cpus, other.cpus);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(cpus);
    }
}
