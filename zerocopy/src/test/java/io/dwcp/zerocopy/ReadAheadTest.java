package io.dwcp.zerocopy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadAheadTest {
    private static final long MIB = 1 << 20;

    /** A file that only records the read-ahead it is asked for. */
    private static DataFile recording(List<long[]> advised) {
        return (DataFile) Proxy.newProxyInstance(DataFile.class.getClassLoader(), new Class<?>[] {DataFile.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("willNeed")) {
                        advised.add(new long[] {(long) args[0], (long) args[1]});
                        return null;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    /** Reads a file of {@code size} in 1 MiB steps as a reader would, returning what was advised. */
    private static List<long[]> readThrough(long size) throws IOException {
        List<long[]> advised = new ArrayList<>();
        DataFile f = recording(advised);
        long at = ReadAhead.start(size);
        for (long p = 0; p < size; p += MIB) {
            long before = at;
            at = ReadAhead.before(f, at, p, size);
            if (at != before) {
                assertEquals(ReadAhead.WINDOW, at - before, "a window at a time");
            }
            // never more than a window and a half ahead of the reader
            assertEquals(true, at - p <= ReadAhead.WINDOW + ReadAhead.WINDOW / 2, "at " + p);
        }
        return advised;
    }

    @Test
    void aBigFileIsAdvisedAWindowAheadOfItsReaderAndNoFurther() throws IOException {
        List<long[]> advised = readThrough(1000 * MIB);
        // windows at 0, 256, 512, 768 MiB: each asked for once, in order, when the reader came within half a window
        assertEquals(4, advised.size());
        for (int i = 0; i < advised.size(); i++) {
            assertEquals(i * ReadAhead.WINDOW, advised.get(i)[0]);
            assertEquals(ReadAhead.WINDOW, advised.get(i)[1]);
        }
    }

    @Test
    void smallFilesAreNotAdvised() throws IOException {
        assertEquals(0, readThrough(ReadAhead.MIN_FILE_BYTES - 1).size());
        assertEquals(1, readThrough(ReadAhead.MIN_FILE_BYTES).size());
    }
}
