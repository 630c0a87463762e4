package io.dwcp.core.message;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.frame.FrameType;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.EntryKind;
import io.dwcp.core.manifest.RelativePaths;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes and decodes message bodies. Strings are {@code u32 length + UTF-8}, byte strings
 * {@code u32 length + bytes}, lists {@code u32 count + elements}; all integers big-endian. Decoding checks
 * every count against {@link Limits} and against the bytes left before allocating.
 */
public final class ControlCodec {
    private static final int MAX_SHORT_STRING = 1024;
    private static final int MAX_TOKEN = 4096;
    /** Smallest encoding of an entry: kind, path length, size, mode, mtime, link length. */
    private static final int MIN_ENTRY_BYTES = 1 + 4 + 8 + 4 + 8 + 4;
    private static final int MIN_PLAN_BYTES = 4 + 1 + 8 + 4;

    private ControlCodec() {
    }

    /** Body length of a PLAN for {@code files} files whose basis digests total {@code digestBytes}. */
    public static long planBodyLength(int files, long digestBytes) {
        return 4 + (long) files * MIN_PLAN_BYTES + digestBytes;
    }

    public static ByteBuffer encode(Message m) {
        BodyWriter w = new BodyWriter(m.type());
        switch (m) {
            case Message.Hello h -> w.string(h.client()).bytes(h.token()).i32(h.streams());
            case Message.Welcome wl -> w.fixed(wl.sessionId()).i32(wl.dataPort()).i32(wl.streams()).string(wl.server());
            case Message.Offer o -> {
                w.string(o.dest()).i32(o.blockSize()).i32(o.entries().size());
                for (Entry e : o.entries()) {
                    w.u8(e.kind().code()).string(e.path()).i64(e.size()).i32(e.mode()).i64(e.mtimeMillis())
                            .string(e.linkTarget());
                }
            }
            case Message.Plan p -> {
                w.i32(p.files().size());
                for (Message.FilePlan f : p.files()) {
                    w.i32(f.fileId()).u8(f.action()).i64(f.basisSize()).bytes(f.blockDigests());
                }
            }
            case Message.FileEnd f -> w.i32(f.fileId()).i64(f.blocksSent()).fixed(f.digest());
            case Message.FileDone f -> w.i32(f.fileId()).i32(f.status()).string(clip(f.detail()));
            case Message.BlockNack n -> w.i32(n.fileId()).i64(n.offset()).string(n.reason());
            case Message.Commit c -> { }
            case Message.Done d -> w.i64(d.files()).i64(d.bytes()).i64(d.payloadBytes()).u8(d.verified() ? 1 : 0);
            case Message.Error e -> w.i32(e.code().code()).string(clip(e.message()));
            case Message.Join j -> w.fixed(j.sessionId()).i32(j.stream());
            case Message.JoinAck a -> w.i32(a.stream());
        }
        return w.finish();
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
            case OFFER -> decodeOffer(r, limits);
            case PLAN -> decodePlan(r, limits);
            case FILE_END -> new Message.FileEnd(r.i32("file"), r.i64("blocks"),
                    r.fixed("digest", BlockDigests.DIGEST_LENGTH));
            case FILE_DONE -> new Message.FileDone(r.i32("file"), r.i32("status"), r.string("detail", limits.maxPathBytes() * 2));
            case BLOCK_NACK -> new Message.BlockNack(r.i32("file"), r.i64("offset"), r.string("reason", MAX_SHORT_STRING));
            case COMMIT -> new Message.Commit();
            case DONE -> new Message.Done(r.i64("files"), r.i64("bytes"), r.i64("payload_bytes"), r.u8("verified") != 0);
            case ERROR -> new Message.Error(ErrorCode.of(r.i32("code")), r.string("message", limits.maxPathBytes() * 2));
            case JOIN -> new Message.Join(r.fixed("session", Message.SESSION_ID_LENGTH), r.i32("stream"));
            case JOIN_ACK -> new Message.JoinAck(r.i32("stream"));
            case DATA -> throw DwcpException.protocol("frame=data reason=not-a-control-frame");
        };
        r.end();
        return m;
    }

    private static Message.Offer decodeOffer(BodyReader r, Limits limits) throws DwcpException {
        String dest = r.string("dest", limits.maxPathBytes());
        if (!dest.isEmpty()) {
            RelativePaths.check(dest, limits.maxPathBytes());
        }
        int blockSize = r.i32("block_size");
        if (blockSize < Limits.MIN_BLOCK_SIZE || blockSize > Limits.MAX_BLOCK_SIZE || Integer.bitCount(blockSize) != 1) {
            throw DwcpException.protocol("frame=offer reason=bad-block-size block_size=" + blockSize
                    + " min=" + Limits.MIN_BLOCK_SIZE + " max=" + Limits.MAX_BLOCK_SIZE);
        }
        int n = r.count("entries", limits.maxEntries(), MIN_ENTRY_BYTES);
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            EntryKind kind = EntryKind.of(r.u8("kind"));
            String path = RelativePaths.check(r.string("path", limits.maxPathBytes()), limits.maxPathBytes());
            long size = r.i64("size");
            int mode = r.i32("mode");
            long mtime = r.i64("mtime");
            String target = r.string("link_target", limits.maxPathBytes());
            if (size < 0 || (kind != EntryKind.FILE && size != 0)) {
                throw DwcpException.protocol("frame=offer reason=bad-size path=" + path + " size=" + size);
            }
            if (kind == EntryKind.SYMLINK) {
                RelativePaths.checkLinkTarget(path, target, limits.maxPathBytes());
            } else if (!target.isEmpty()) {
                throw DwcpException.protocol("frame=offer reason=unexpected-link-target path=" + path);
            }
            entries.add(new Entry(kind, path, size, mode & 07777, mtime, target));
        }
        return new Message.Offer(dest, blockSize, entries);
    }

    private static Message.Plan decodePlan(BodyReader r, Limits limits) throws DwcpException {
        int n = r.count("files", limits.maxEntries(), MIN_PLAN_BYTES);
        List<Message.FilePlan> files = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int id = r.i32("file");
            int action = r.u8("action");
            if (action != Message.FilePlan.NEW && action != Message.FilePlan.BASIS) {
                throw DwcpException.protocol("frame=plan reason=unknown-action action=" + action);
            }
            long basisSize = r.i64("basis_size");
            byte[] digests = r.bytes("digests", limits.maxControlBody());
            if (digests.length % BlockDigests.DIGEST_LENGTH != 0 || basisSize < 0) {
                throw DwcpException.protocol("frame=plan reason=bad-digests file=" + id);
            }
            files.add(new Message.FilePlan(id, action, basisSize, digests));
        }
        return new Message.Plan(files);
    }
}
