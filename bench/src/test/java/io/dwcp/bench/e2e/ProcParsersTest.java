package io.dwcp.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcParsersTest {
    @Test
    void statFieldsAreCountedFromTheLastParenthesis() {
        // A command name with spaces and a ')' must not shift the fields.
        String line = "4242 (we ird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 "
                + "731 95 1200 340 20 0 3 0 59301 3133440 376 18446744073709551615";
        ProcParsers.StatTimes t = ProcParsers.parseStat(line);
        assertEquals(731, t.utime());
        assertEquals(95, t.stime());
        assertEquals(1200, t.cutime());
        assertEquals(340, t.cstime());
        assertEquals(826, t.self());
        assertEquals(1540, t.children());
        assertEquals(2366, t.all());
    }

    @Test
    void statOfThisProcessParses() throws Exception {
        ProcParsers.StatTimes t = ProcParsers.parseStat(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat")));
        assertTrue(t.utime() >= 0 && t.cstime() >= 0);
    }

    @Test
    void malformedStatIsRejectedWithTheLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProcParsers.parseStat("garbage"));
        assertTrue(e.getMessage().contains("garbage"));
        assertThrows(IllegalArgumentException.class, () -> ProcParsers.parseStat("1 (x) S 1 2"));
    }

    @Test
    void statusFieldInKib() {
        String status = "Name:\tjava\nVmPeak:\t 9000 kB\nVmHWM:\t  524288 kB\nVmRSS:\t  1000 kB\n";
        assertEquals(524288, ProcParsers.statusKib(status, "VmHWM").getAsLong());
        assertEquals(1000, ProcParsers.statusKib(status, "VmRSS").getAsLong());
        assertTrue(ProcParsers.statusKib(status, "VmSwap").isEmpty());
        // "VmHWM" must not match a field that merely starts with it.
        assertTrue(ProcParsers.statusKib("VmHWMx:\t1 kB\n", "VmHWM").isEmpty());
    }

    @Test
    void listeningPortsFromProcNetTcp() {
        String tcp = """
                  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
                   0: 0100007F:43F0 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1
                   1: 0100007F:43F1 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 2 1
                """;
        assertTrue(ProcParsers.listening(tcp, 0x43F0));
        assertFalse(ProcParsers.listening(tcp, 0x43F1), "an established connection is not a listener");
        assertFalse(ProcParsers.listening(tcp, 80));
        String tcp6 = "  sl  local_address\n   0: 0000000000000000FFFF00000100007F:43F0 00000000000000000000000000000000:0000 0A x\n";
        assertTrue(ProcParsers.listening(tcp6, 17392));
    }

    @Test
    void bashTimesOutputSumsShellAndChildren() {
        assertEquals(0.001 + 0.002 + 61.25 + 0.5, ProcParsers.bashTimesSeconds("0m0.001s 0m0.002s\n1m1.250s 0m0.500s\n"), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> ProcParsers.bashTimesSeconds("0m0.001s 0m0.002s\n"));
        assertThrows(IllegalArgumentException.class, () -> ProcParsers.bashTimesSeconds("1.0 2.0 3.0 4.0"));
    }
}
