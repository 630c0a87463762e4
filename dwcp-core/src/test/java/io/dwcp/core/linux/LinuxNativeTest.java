package io.dwcp.core.linux;

import static io.dwcp.core.linux.LinuxNative.C_INT;
import static io.dwcp.core.linux.LinuxNative.C_LONG;
import static io.dwcp.core.linux.LinuxNative.C_POINTER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
    void theOneShapeCarriesIntsPointersAndIntResultsBothWays() throws Throwable {
        assumeTrue(LinuxNative.available(), "not Linux");
        MethodHandle write = LinuxNative.function("write"); // long write(int, pointer, long)
        MethodHandle close = LinuxNative.function("close"); // int close(int)
        MethodHandle pipe = LinuxNative.function("pipe"); // int pipe(pointer)
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(8, 4);
            assertEquals(0, (int) (long) pipe.invokeExact(LinuxNative.callState(), LinuxNative.address(fds), 0L, 0L, 0L,
                    0L, 0L, 0L));
            int readEnd = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
            int writeEnd = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
            MemorySegment data = arena.allocateFrom("dwcp");
            assertEquals(4L, (long) write.invokeExact(LinuxNative.callState(), (long) writeEnd, LinuxNative.address(data),
                    4L, 0L, 0L, 0L, 0L));
            // a negative int argument (-1) arrives as the int -1, and an int result of -1 reads back as -1
            assertEquals(-1, (int) (long) close.invokeExact(LinuxNative.callState(), -1L, 0L, 0L, 0L, 0L, 0L, 0L));
            assertEquals(Errno.EBADF, LinuxNative.errno());
            assertEquals(0, (int) (long) close.invokeExact(LinuxNative.callState(), (long) writeEnd, 0L, 0L, 0L, 0L, 0L,
                    0L));
            assertEquals(0, (int) (long) close.invokeExact(LinuxNative.callState(), (long) readEnd, 0L, 0L, 0L, 0L, 0L,
                    0L));
        }
    }

    @Test
    void onlyLiveNativeMemoryGoesAsAPointer() {
        assertEquals(0L, LinuxNative.address(MemorySegment.NULL));
        assertThrows(IllegalArgumentException.class, () -> LinuxNative.address(MemorySegment.ofArray(new byte[8])));
        MemorySegment closed;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment live = arena.allocate(8);
            assertEquals(live.address(), LinuxNative.address(live));
            closed = live;
        }
        assertThrows(IllegalStateException.class, () -> LinuxNative.address(closed));
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
