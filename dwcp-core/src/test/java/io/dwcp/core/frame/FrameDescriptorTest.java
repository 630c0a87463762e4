package io.dwcp.core.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class FrameDescriptorTest {

    private static ByteBuffer prefix(int at, FrameType type, int length) {
        ByteBuffer b = ByteBuffer.allocate(at + FrameDescriptor.PREFIX_LENGTH + 3);
        b.position(at);
        FrameDescriptor.writePrefix(b, type, length);
        return b;
    }

    private static String rejected(ByteBuffer b, int at, int maxBody, String reason) {
        DwcpException e = assertThrows(DwcpException.class, () -> FrameDescriptor.checkPrefix(b, at, maxBody));
        assertEquals(ErrorCode.PROTOCOL, e.code());
        assertTrue(e.getMessage().contains("reason=" + reason), e.getMessage());
        return e.getMessage();
    }

    @Test
    void theArrayFormWritesTheBufferFormsBytes() {
        byte[] a = new byte[FrameDescriptor.PREFIX_LENGTH];
        FrameDescriptor.writePrefix(a, FrameType.FILE_DONE, 0x7f_00_80_01);
        ByteBuffer b = prefix(0, FrameType.FILE_DONE, 0x7f_00_80_01);
        assertEquals(ByteBuffer.wrap(a), b.flip());
    }

    @Test
    void wireLayoutIsBigEndianAsDocumented() {
        ByteBuffer b = prefix(0, FrameType.OFFER, 0x01020304);
        assertEquals(8, b.position(), "writePrefix advances by the prefix length");
        byte[] expected = {0x44, 0x57, 6, 3, 1, 2, 3, 4}; // version 6
        assertEquals(6, FrameDescriptor.VERSION);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], b.get(i), "byte " + i);
        }
        assertEquals(0x01020304, FrameDescriptor.bodyLength(b, 0));
    }

    @ParameterizedTest
    @EnumSource(FrameType.class)
    void everyTypeRoundTripsAtAnyIndex(FrameType type) throws Exception {
        for (int at : new int[] {0, 1, 13}) {
            ByteBuffer b = prefix(at, type, 77);
            assertEquals(type, FrameDescriptor.checkPrefix(b, at, 100));
            assertEquals(77, FrameDescriptor.bodyLength(b, at));
        }
    }

    @Test
    void frameTypeCodesAreUniqueAndControlFlagIsRight() throws Exception {
        Set<Integer> codes = new HashSet<>();
        for (FrameType t : FrameType.values()) {
            assertTrue(codes.add(t.code()), "duplicate code " + t.code());
            assertEquals(t, FrameType.of(t.code()));
        }
        assertTrue(FrameType.OFFER.isControl());
        assertEquals(11, FrameType.DELETED.code());
        assertTrue(FrameType.DELETED.isControl());
        assertEquals(FrameType.DELETED, FrameType.of(11));
        assertTrue(!FrameType.DATA.isControl() && !FrameType.JOIN.isControl() && !FrameType.JOIN_ACK.isControl());
    }

    @Test
    void badMagicIsRejected() {
        ByteBuffer b = prefix(0, FrameType.HELLO, 10);
        b.put(0, (byte) 0x57).put(1, (byte) 0x44);
        String m = rejected(b, 0, 100, "bad-magic");
        assertTrue(m.contains("magic=0x5744"), m);
        // HTTP on the wrong port: "GET " must be a clear bad-magic error, not an unknown type.
        ByteBuffer http = ByteBuffer.wrap("GET / HTTP/1.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertTrue(rejected(http, 0, 100, "bad-magic").contains("magic=0x4745"));
        // A magic with the high bit set is printed as 16 bits, not sign-extended.
        b.put(0, (byte) 0xff).put(1, (byte) 0xfe);
        assertTrue(rejected(b, 0, 100, "bad-magic").contains("magic=0xfffe"));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 127, 255}) // 5: the previous version, which refuses an OFFER with a socket
    void unsupportedVersionIsRejected(int version) {
        ByteBuffer b = prefix(3, FrameType.HELLO, 10);
        b.put(3 + FrameDescriptor.VERSION_OFFSET, (byte) version);
        String m = rejected(b, 3, 100, "unsupported-version");
        assertTrue(m.contains("version=" + version + " "), m);
        assertTrue(m.contains("supported=6"), m);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 14, 15, 19, 128, 255})
    void unknownTypeIsRejected(int type) {
        ByteBuffer b = prefix(0, FrameType.HELLO, 10);
        b.put(FrameDescriptor.TYPE_OFFSET, (byte) type);
        String m = rejected(b, 0, 100, "unknown-type");
        assertTrue(m.contains("type=" + type), m);
    }

    @Test
    void lengthAboveMaxIsRejectedAndMaxIsAccepted() throws Exception {
        assertEquals(FrameType.PLAN, FrameDescriptor.checkPrefix(prefix(0, FrameType.PLAN, 100), 0, 100));
        assertEquals(FrameType.PLAN, FrameDescriptor.checkPrefix(prefix(0, FrameType.PLAN, 0), 0, 100));
        String m = rejected(prefix(0, FrameType.PLAN, 101), 0, 100, "too-long");
        assertTrue(m.startsWith("frame=plan "), m);
        assertTrue(m.contains("length=101 max=100"), m);
        rejected(prefix(0, FrameType.DATA, Integer.MAX_VALUE), 0, DataFrameDescriptor.maxBody(), "too-long");
    }

    @Test
    void frameNameInTooLongErrorIgnoresTheDefaultLocale() {
        java.util.Locale saved = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.forLanguageTag("tr-TR"));
            String m = rejected(prefix(0, FrameType.FILE_DONE, 101), 0, 100, "too-long");
            assertTrue(m.startsWith("frame=file_done "), m);
        } finally {
            java.util.Locale.setDefault(saved);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, -48, Integer.MIN_VALUE})
    void negativeLengthIsRejected(int length) {
        String m = rejected(prefix(0, FrameType.DATA, length), 0, Integer.MAX_VALUE, "too-long");
        assertTrue(m.contains("length=" + Integer.toUnsignedString(length)), m);
    }

    @Test
    void dataFrameMaxBodyCoversTheLargestPayloadOfAnyCodec() {
        // The largest: an LZ4-compressed page frame of a 16 MiB block, its 512-byte page map and every page.
        int pages = 16 * 1024 * 1024 + 512;
        assertEquals(DataFrameDescriptor.HEADER_LENGTH + pages + pages / 255 + 16, DataFrameDescriptor.maxBody());
        assertEquals(56, DataFrameDescriptor.FRAME_HEADER_LENGTH);
    }
}
