package io.dwcp.core.linux;

import static io.dwcp.core.linux.LinuxNative.C_INT;
import static io.dwcp.core.linux.LinuxNative.C_LONG;
import static io.dwcp.core.linux.LinuxNative.C_POINTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.Test;

class LinuxNativeTest {
    @Test
    void errnoIsCapturedRightAfterTheCall() throws Throwable {
        assumeTrue(LinuxNative.available(), "not Linux");
        MethodHandle write = LinuxNative.downcall("write", FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG));
        assertNotNull(write);
        long rc = (long) write.invokeExact(LinuxNative.callState(), -1, MemorySegment.NULL, 0L);
        assertEquals(-1, rc);
        assertEquals(Errno.EBADF, LinuxNative.errno());
    }

    @Test
    void aMissingSymbolGivesNoHandle() {
        assumeTrue(LinuxNative.available(), "not Linux");
        assertNull(LinuxNative.downcall("dwcp_no_such_symbol", FunctionDescriptor.ofVoid()));
    }

    @Test
    void exceptionsNameTheCallAndTheErrno() {
        NativeIoException e = new NativeIoException("sendfile", Errno.EPIPE, "fd=7");
        assertEquals("op=sendfile errno=EPIPE fd=7", e.getMessage());
        assertEquals(true, e.isConnectionLost());
        assertEquals("errno-999", Errno.name(999));
    }
}
