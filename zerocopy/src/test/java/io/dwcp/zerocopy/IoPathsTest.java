package io.dwcp.zerocopy;

import io.dwcp.zerocopy.select.IoPaths;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dwcp.core.linux.LinuxNative;
import org.junit.jupiter.api.Test;

class IoPathsTest {
    @Test
    void portableIsForcedAndSaysSo() {
        IoPaths p = IoPaths.select(IoMode.PORTABLE);
        assertEquals("io_path=portable confine=portable reason=forced", p.describe());
        assertEquals(IoPaths.Confinement.PORTABLE, p.confinement());
    }

    @Test
    void autoProbesOnceAndUsesEveryNativePathOnThisKernelButSplice() {
        assumeTrue(LinuxNative.available(), "not Linux");
        IoPaths p = IoPaths.select(IoMode.AUTO);
        System.out.println(p.describe());
        assertTrue(p.nativeSockets(), p.describe());
        assertTrue(p.sendfile(), p.describe());
        assertFalse(p.splice(), "auto receives into memory: " + p.describe());
        assertTrue(p.describe().startsWith("io_path=sendfile") && !p.describe().contains("splice"), p.describe());
        assertFalse(p.describe(false).contains("sendfile"), "a sender that leaves it unused: " + p.describe(false));
        assertTrue(p == IoPaths.select(IoMode.AUTO), "the probe runs once");
    }

    @Test
    void spliceIsAutoWithSplice() {
        assumeTrue(LinuxNative.available(), "not Linux");
        IoPaths p = IoPaths.select(IoMode.SPLICE);
        assertTrue(p.splice(), p.describe());
        assertTrue(p.describe().startsWith("io_path=sendfile+splice"), p.describe());
        assertEquals(IoPaths.select(IoMode.AUTO).confinement(), p.confinement());
        assertTrue(p == IoPaths.select(IoMode.SPLICE), "the probe runs once");
        assertTrue(IoPaths.forSending(IoMode.SPLICE) == IoPaths.forSending(IoMode.AUTO), "a sender never splices");
    }

    @Test
    void aSendingProcessProbesOnlyWhatItUses() {
        assumeTrue(LinuxNative.available(), "not Linux");
        IoPaths p = IoPaths.forSending(IoMode.AUTO);
        assertTrue(p.sendfile(), p.describe());
        assertTrue(!p.splice(), "a sender does not splice: " + p.describe());
        assertTrue(p.describe().startsWith("io_path=sendfile") && !p.describe().contains("confine="), p.describe());
        assertEquals(IoPaths.select(IoMode.PORTABLE).describe(), IoPaths.forSending(IoMode.PORTABLE).describe());
    }
}
