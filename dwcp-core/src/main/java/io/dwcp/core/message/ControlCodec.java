package io.dwcp.core.message;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.frame.FrameDescriptor;
import io.dwcp.core.frame.FrameType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes message bodies. Strings are {@code u32 length + UTF-8}, byte strings
 * {@code u32 length + bytes}, lists {@code u32 count + elements}; all integers big-endian. Decoding checks
 * every count against {@link Limits} and against the bytes left before allocating. OFFER, the body that grows with
 * the tree, has a codec of its own ({@link OfferCodec}).
 */
public final class ControlCodec {
    private static final int MAX_SHORT_STRING = 1024;
    private static final int MAX_TOKEN = 4096;
    /** Smallest plan line: id, action, changes, basis size, digests length, detail length. */
    private static final int MIN_PLAN_BYTES = 4 + 1 + 2 + 8 + 4 + 4;
    private static final int MIN_DELETED_BYTES = 4 + 1;

    private ControlCodec() {
    }

    /**
     * The encoded size of the frames that go once per file of a tree (FILE_END, FILE_DONE): exact for an ASCII
     * detail, so the buffer is the frame, not 256 bytes of which 20 are used; other frames start at 256 and grow.
     */
    private static int capacity(Message m) {
        return switch (m) {
            case Message.FileEnd f -> FrameDescriptor.PREFIX_LENGTH + 4 + 8 + f.digest().length;
            case Message.FileDone f -> FrameDescriptor.PREFIX_LENGTH + 4 + 4 + 4
                    + Math.min(f.detail().length(), MAX_TEXT_CHARS);
            default -> 256;
        };
    }

    public static ByteBuffer encode(Message m) {
        BodyWriter w = new BodyWriter(m.type(), capacity(m));
        body(m, w);
        return w.finish();
    }

    /**
     * Encodes {@code m} into {@code w}, a writer its caller reuses: returns the frame's length, its bytes in
     * {@code w.array()}. A connection that sends a small frame per file copies each out of one writer instead of
     * making a buffer for each.
     */
    public static int encode(Message m, BodyWriter w) {
        body(m, w.begin(m.type()));
        return w.sealed();
    }

    private static void body(Message m, BodyWriter w) {
        switch (m) {
            case Message.Hello h -> w.string(h.client()).bytes(h.token()).i32(h.streams());
            case Message.Welcome wl -> w.fixed(wl.sessionId()).i32(wl.dataPort()).i32(wl.streams()).string(wl.server());
            case Message.Offer o -> OfferCodec.encode(o, w);
            case Message.Plan p -> {
                w.i32(p.files().size());
                for (Message.FilePlan f : p.files()) {
                    w.i32(f.fileId()).u8(f.action()).u16(f.changes()).i64(f.basisSize()).bytes(f.blockDigests())
                            .string(clip(f.detail()));
                }
            }
            case Message.Deleted d -> {
                w.i32(d.paths().size());
                for (String path : d.paths()) {
                    w.string(path);
                }
            }
            case Message.Refine f -> blocks(w.i32(f.fileId()), f.blocks());
            case Message.PageDigests p -> blocks(w.i32(p.fileId()), p.blocks()).bytes(p.digests());
            case Message.FileEnd f -> w.i32(f.fileId()).i64(f.blocksSent()).fixed(f.digest());
            case Message.FileDone f -> w.i32(f.fileId()).i32(f.status()).string(clip(f.detail()));
            case Message.BlockNack n -> w.i32(n.fileId()).i64(n.offset()).string(n.reason());
            case Message.Commit c -> { }
            case Message.Done d -> w.i64(d.files()).i64(d.bytes()).i64(d.payloadBytes()).u8(d.verified() ? 1 : 0);
            case Message.Error e -> w.i32(e.code().code()).string(clip(e.message()));
            case Message.Join j -> w.fixed(j.sessionId()).i32(j.stream());
            case Message.JoinAck a -> w.i32(a.stream());
        }
    }

    private static BodyWriter blocks(BodyWriter w, int[] blocks) {
        w.i32(blocks.length);
        for (int b : blocks) {
            w.i32(b);
        }
        return w;
    }

    /** Block indexes of a REFINE or PAGE_DIGESTS: at most {@link Message.Refine#MAX_BLOCKS}, ascending, none negative. */
    private static int[] decodeBlocks(BodyReader r, String frame) throws DwcpException {
        int n = r.count("blocks", Message.Refine.MAX_BLOCKS, 4);
        if (n == 0) {
            throw DwcpException.protocol("frame=" + frame + " reason=no-blocks");
        }
        int[] blocks = new int[n];
        for (int i = 0; i < n; i++) {
            blocks[i] = r.i32("block");
            if (blocks[i] < 0 || (i > 0 && blocks[i] <= blocks[i - 1])) {
                throw DwcpException.protocol("frame=" + frame + " reason=blocks-not-ascending block=" + blocks[i]);
            }
        }
        return blocks;
    }

    /** Longest error text sent, in chars: at most 3 UTF-8 bytes each, well inside what decode accepts. */
    static final int MAX_TEXT_CHARS = 2048;

    /** Shortens an error text so that the peer sees the message instead of a limit error about it. */
    static String clip(String s) {
        if (s.length() <= MAX_TEXT_CHARS) {
            return s;
        }
        int end = MAX_TEXT_CHARS - 3;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + "...";
    }

    public static Message decode(FrameType type, ByteBuffer body, Limits limits) throws DwcpException {
        BodyReader r = new BodyReader(body, type.name().toLowerCase(java.util.Locale.ROOT));
        Message m = switch (type) {
            case HELLO -> new Message.Hello(r.string("client", MAX_SHORT_STRING), r.bytes("token", MAX_TOKEN),
                    r.i32("streams"));
            case WELCOME -> new Message.Welcome(r.fixed("session", Message.SESSION_ID_LENGTH), r.i32("data_port"),
                    r.i32("streams"), r.string("server", MAX_SHORT_STRING));
            case OFFER -> OfferCodec.decode(r, limits);
            case PLAN -> decodePlan(r, limits);
            case REFINE -> new Message.Refine(r.i32("file"), decodeBlocks(r, "refine"));
            case PAGE_DIGESTS -> {
                int file = r.i32("file");
                int[] blocks = decodeBlocks(r, "page_digests");
                byte[] digests = r.bytes("digests", limits.maxControlBody());
                if (digests.length % io.dwcp.core.digest.PageDigests.DIGEST_LENGTH != 0) {
                    throw DwcpException.protocol("frame=page_digests reason=bad-digests file=" + file);
                }
                yield new Message.PageDigests(file, blocks, digests);
            }
            case FILE_END -> new Message.FileEnd(r.i32("file"), r.i64("blocks"),
                    r.fixed("digest", BlockDigests.DIGEST_LENGTH));
            case FILE_DONE -> new Message.FileDone(r.i32("file"), r.i32("status"), r.string("detail", limits.maxPathBytes() * 2));
            case BLOCK_NACK -> new Message.BlockNack(r.i32("file"), r.i64("offset"), r.string("reason", MAX_SHORT_STRING));
            case COMMIT -> new Message.Commit();
            case DONE -> new Message.Done(r.i64("files"), r.i64("bytes"), r.i64("payload_bytes"), r.u8("verified") != 0);
            case DELETED -> decodeDeleted(r, limits);
            case ERROR -> new Message.Error(ErrorCode.of(r.i32("code")), r.string("message", limits.maxPathBytes() * 2));
            case JOIN -> new Message.Join(r.fixed("session", Message.SESSION_ID_LENGTH), r.i32("stream"));
            case JOIN_ACK -> new Message.JoinAck(r.i32("stream"));
            case DATA -> throw DwcpException.protocol("frame=data reason=not-a-control-frame");
        };
        r.end();
        return m;
    }

    private static Message.Plan decodePlan(BodyReader r, Limits limits) throws DwcpException {
        int n = r.count("files", limits.maxEntries(), MIN_PLAN_BYTES);
        List<Message.FilePlan> files = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int id = r.i32("file");
            int action = r.u8("action");
            if (action > Message.FilePlan.FAILED) {
                throw DwcpException.protocol("frame=plan reason=unknown-action action=" + action);
            }
            int changes = r.u16("changes");
            long basisSize = r.i64("basis_size");
            byte[] digests = r.bytes("digests", limits.maxControlBody());
            if (digests.length % BlockDigests.DIGEST_LENGTH != 0 || basisSize < 0) {
                throw DwcpException.protocol("frame=plan reason=bad-digests file=" + id);
            }
            String detail = r.string("detail", limits.maxPathBytes() * 2);
            files.add(new Message.FilePlan(id, action, changes, basisSize, digests, detail));
        }
        return new Message.Plan(files);
    }

    private static Message.Deleted decodeDeleted(BodyReader r, Limits limits) throws DwcpException {
        int n = r.count("paths", limits.maxEntries(), MIN_DELETED_BYTES);
        List<String> paths = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            // Names the receiver found and removed: shown, never used as paths here, so any name a file system
            // can hold passes (a backslash is a valid Linux name that no offer can carry, for one).
            String path = r.string("path", limits.maxPathBytes() * 2);
            if (path.isEmpty() || path.indexOf('\0') >= 0) {
                throw DwcpException.protocol("frame=deleted reason=bad-path");
            }
            paths.add(path);
        }
        return new Message.Deleted(paths);
    }
}
