package io.dwcp.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ServerLogTest {
    @Test
    void sumsTheFieldOverSessionEndLines() {
        String log = """
                2026-11-30 INFO session=s1 offer files=1 entries=1 bytes=10
                2026-11-30 INFO session=s1 done files=1 bytes=10 payload=10 verified=true data_heap_alloc_bytes=4096
                2026-11-30 WARN session=s2 aborted code=io reason=x data_heap_alloc_bytes=100
                2026-11-30 INFO metrics data_heap_alloc_bytes=999999
                """;
        assertEquals(4196, ServerLog.heapAllocBytes(log).getAsLong());
    }

    @Test
    void absentFieldIsEmpty() {
        assertTrue(ServerLog.heapAllocBytes("session=s1 done files=1 bytes=10 payload=10 verified=true\n").isEmpty());
        assertTrue(ServerLog.heapAllocBytes("").isEmpty());
    }
}
