package io.dwcp.core.framestream;

import java.util.Arrays;

/**
 * The pool pages one cached frame occupies, as runs of consecutive pages in frame order: run {@code i} holds
 * frame pages {@code [sum of earlier counts, + count(i))}. A frame nearly always fits in one run; the arrays
 * grow only when one does not.
 */
final class Extents {
    private int[] start = new int[2];
    private int[] count = new int[2];
    private int runs;
    private int pages;

    int runs() {
        return runs;
    }

    int pages() {
        return pages;
    }

    int start(int i) {
        return start[i];
    }

    int count(int i) {
        return count[i];
    }

    /** Appends pages {@code [first, first+n)}; extends the last run when {@code merge} says they adjoin it. */
    void append(int first, int n, boolean merge) {
        if (merge && runs > 0 && start[runs - 1] + count[runs - 1] == first) {
            count[runs - 1] += n;
        } else {
            if (runs == start.length) {
                start = Arrays.copyOf(start, runs * 2);
                count = Arrays.copyOf(count, runs * 2);
            }
            start[runs] = first;
            count[runs] = n;
            runs++;
        }
        pages += n;
    }

    /** Drops the last {@code n} pages (of its last run); the caller has returned them to the pool. */
    void dropTail(int n) {
        count[runs - 1] -= n;
        pages -= n;
        if (count[runs - 1] == 0) {
            runs--;
        }
    }

    void clear() {
        runs = 0;
        pages = 0;
    }
}
