package io.dwcp.wireguard.noise;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little-endian field access for the message layouts, independent of a buffer's own byte order. */
final class Le {

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BB_INT =
            MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle BB_LONG =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Le() {
    }

    static int getInt(byte[] b, int off) {
        return (int) INT.get(b, off);
    }

    static void putInt(byte[] b, int off, int v) {
        INT.set(b, off, v);
    }

    static long getLong(byte[] b, int off) {
        return (long) LONG.get(b, off);
    }

    static void putLong(byte[] b, int off, long v) {
        LONG.set(b, off, v);
    }

    static int getInt(ByteBuffer b, int index) {
        return (int) BB_INT.get(b, index);
    }

    static void putInt(ByteBuffer b, int index, int v) {
        BB_INT.set(b, index, v);
    }

    static long getLong(ByteBuffer b, int index) {
        return (long) BB_LONG.get(b, index);
    }

    static void putLong(ByteBuffer b, int index, long v) {
        BB_LONG.set(b, index, v);
    }
}
