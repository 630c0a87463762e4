package io.dwcp.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PeakSamplerTest {
    @Test
    void aProcessAndTheChildrenOfAnotherAreSampled() throws Exception {
        Process p = new ProcessBuilder("sleep", "0.3").start();
        PeakSampler own = PeakSampler.start(p.pid(), true);
        p.waitFor();
        Long kib = own.peakKib();
        assertNotNull(kib);
        assertTrue(kib > 0 && kib < 64 * 1024, "sleep's peak: " + kib + " KiB");

        Process sh = new ProcessBuilder("sh", "-c", "sleep 0.3; true").start();
        PeakSampler kids = PeakSampler.start(sh.pid(), false);
        sh.waitFor();
        assertNotNull(kids.peakKib(), "the shell's child, without the shell");
        Process idle = new ProcessBuilder("sleep", "0.1").start();
        PeakSampler none = PeakSampler.start(idle.pid(), false);
        idle.waitFor();
        assertNull(none.peakKib(), "a process without children: nothing to sample");
    }
}
