package io.dwcp.core.message;

import io.dwcp.core.ErrorCode;
import io.dwcp.core.frame.FrameType;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.OwnerNames;
import java.util.List;

/** Control-plane and stream-setup messages. Layouts are in {@link ControlCodec} and docs/PROTOCOL.md. */
public sealed interface Message {
    int SESSION_ID_LENGTH = 16;

    FrameType type();

    /** Client's opening: who it is, the token (empty when none), how many data streams it wants. */
    record Hello(String client, byte[] token, int streams) implements Message {
        public FrameType type() {
            return FrameType.HELLO;
        }
    }

    /** Server's answer: session id for data streams, data port, granted streams. */
    record Welcome(byte[] sessionId, int dataPort, int streams, String server) implements Message {
        public FrameType type() {
            return FrameType.WELCOME;
        }
    }

    /**
     * One batch of the file list. The first batch names the destination, block size and options; every later batch
     * repeats them unchanged. The first batch also carries the sender's filter rules, so that {@code --delete}
     * spares what they exclude at the receiver, as rsync does; later batches carry none. Entry ids run on from batch to batch: the entries of this batch are {@code firstId},
     * {@code firstId + 1}, ... A sender keeps at most {@link io.dwcp.core.Limits#WINDOW_ENTRIES} ids between the
     * oldest entry the receiver has not finished and the end of the batch it sends. Each batch names the owners and
     * groups its entries use ({@link OwnerNames}), unless {@link #NUMERIC_IDS}.
     */
    record Offer(String dest, int blockSize, int flags, int firstId, List<String> filters, OwnerNames owners,
                 List<Entry> entries) implements Message {
        /** Filter rules a batch may carry: rsync's rule lines, {@code "- PATTERN"} or {@code "+ PATTERN"}. */
        public static final int MAX_FILTERS = 1024;
        /** Compare block digests instead of size and mtime (rsync's {@code --checksum}). */
        public static final int CHECKSUM = 1;
        /** Send every file, even one whose size and mtime match (rsync's {@code --ignore-times}). */
        public static final int IGNORE_TIMES = 2;
        /** Remove what DEST holds that the source lacks; LISTED entries say when a directory is complete. */
        public static final int DELETE = 4;
        /** Change nothing: answer with what would change. */
        public static final int DRY_RUN = 8;
        /** Scratch data: the receiver flushes nothing to disk before files reach their names. */
        public static final int NO_FSYNC = 16;
        /**
         * Change files the receiver has in place (under an undo log) instead of building a new copy in a part file:
         * only the changed bytes are written there. Files that would shrink, and files under 4 MiB, are not.
         */
        public static final int INPLACE = 32;
        /**
         * Extended attributes travel with every entry ({@code --xattrs}): the receiver makes each entry's attributes
         * those of the source, within the namespaces it may change. Without it no entry carries any and the
         * receiver leaves attributes alone.
         */
        public static final int XATTRS = 64;
        /**
         * Owners and groups are numbers only ({@code --numeric-ids}): the batch names none and the receiver applies
         * the numbers as they are.
         */
        public static final int NUMERIC_IDS = 128;
        /** Every flag this version knows; others are refused. */
        public static final int KNOWN = CHECKSUM | IGNORE_TIMES | DELETE | DRY_RUN | NO_FSYNC | INPLACE | XATTRS
                | NUMERIC_IDS;

        /** A whole transfer in one batch, with no options (tests and small sends). */
        public Offer(String dest, int blockSize, List<Entry> entries) {
            this(dest, blockSize, 0, 0, List.of(), entries);
        }

        /** A batch without filter rules. */
        public Offer(String dest, int blockSize, int flags, int firstId, List<Entry> entries) {
            this(dest, blockSize, flags, firstId, List.of(), entries);
        }

        /** A batch that names no owners. */
        public Offer(String dest, int blockSize, int flags, int firstId, List<String> filters, List<Entry> entries) {
            this(dest, blockSize, flags, firstId, filters, OwnerNames.NONE, entries);
        }

        public boolean has(int flag) {
            return (flags & flag) != 0;
        }

        public FrameType type() {
            return FrameType.OFFER;
        }
    }

    /**
     * The receiver's answer for one entry of a batch: what the sender must do and, for an itemized listing, what
     * differs at the receiver.
     *
     * @param fileId      the entry's id
     * @param action      {@link #NEW}, {@link #BASIS}, {@link #SKIP} or {@link #FAILED}
     * @param changes     bits of {@link #CREATED} ... {@link #TARGET} and {@link #XATTRS}: what is (or, in a dry run,
     *                    would be) changed
     * @param basisSize   BASIS: size of the receiver's file
     * @param blockDigests BASIS: its block digests; empty otherwise
     * @param detail      FAILED: why; otherwise a warning (something of the entry the receiver leaves out) or empty
     */
    record FilePlan(int fileId, int action, int changes, long basisSize, byte[] blockDigests, String detail) {
        /** No usable basis: send every block. */
        public static final int NEW = 0;
        /** The receiver holds a file at this path; send only blocks whose digest differs. */
        public static final int BASIS = 1;
        /** Nothing to send: not a file, or a file the receiver already has (quick check), or a dry run. */
        public static final int SKIP = 2;
        /** The receiver cannot take this entry ({@code detail} says why); the rest of the transfer goes on. */
        public static final int FAILED = 3;

        public static final int CREATED = 1;
        public static final int CONTENT = 2;
        public static final int TIME = 4;
        public static final int PERMS = 8;
        public static final int OWNER = 16;
        public static final int GROUP = 32;
        public static final int TARGET = 64;
        /** The extended attributes differ (rsync's {@code x}). */
        public static final int XATTRS = 256;
        /** With {@link #CONTENT}: the receiver's copy has another size (rsync's {@code s}). */
        public static final int SIZE = 512;
        /**
         * Not a change: BASIS digests are those of a part file an interrupted transfer left (resume), zero for the
         * blocks it lacks; the sender sends what differs and does not refine blocks to pages against it.
         */
        public static final int RESUMED = 128;

        public FilePlan(int fileId, int action, long basisSize, byte[] blockDigests) {
            this(fileId, action, action == NEW ? CREATED : CONTENT, basisSize, blockDigests, "");
        }

        public static FilePlan skip(int fileId, int changes) {
            return new FilePlan(fileId, SKIP, changes, 0, new byte[0], "");
        }

        public static FilePlan failed(int fileId, String detail) {
            return new FilePlan(fileId, FAILED, 0, 0, new byte[0], detail);
        }
    }

    /** The receiver's answers for one OFFER batch, one per entry, in entry order. */
    record Plan(List<FilePlan> files) implements Message {
        public FrameType type() {
            return FrameType.PLAN;
        }
    }

    /** With {@code --delete}: what the receiver removed (or, in a dry run, would remove), offer paths below DEST. */
    record Deleted(List<String> paths) implements Message {
        public FrameType type() {
            return FrameType.DELETED;
        }
    }

    /**
     * The sender found these blocks of a BASIS file changed and asks for the digests of their 4 KiB pages, so that
     * only the pages that differ travel (a block of a changed file usually differs in a few pages only). Blocks are
     * indexes into the file, ascending, each one the receiver's basis has with the length the sender's block has.
     */
    record Refine(int fileId, int[] blocks) implements Message {
        /** Blocks one REFINE may name: the answer's digests (8 bytes a page) stay a modest control frame. */
        public static final int MAX_BLOCKS = 64;

        public FrameType type() {
            return FrameType.REFINE;
        }
    }

    /**
     * The receiver's answer to a {@link Refine}: for each block named, in order, an 8-byte digest of each of its
     * pages in the basis ({@link io.dwcp.core.digest.PageDigests}), all concatenated.
     */
    record PageDigests(int fileId, int[] blocks, byte[] digests) implements Message {
        public FrameType type() {
            return FrameType.PAGE_DIGESTS;
        }
    }

    /** Sender has sent {@code blocksSent} distinct blocks of the file; its whole-file digest. */
    record FileEnd(int fileId, long blocksSent, byte[] digest) implements Message {
        /**
         * {@code blocksSent} of a file the sender gave up before any of its blocks went (it vanished or changed
         * size): the receiver drops it and answers FILE_DONE with an error; the rest of the transfer goes on.
         */
        public static final long ABANDONED = -1;

        public FrameType type() {
            return FrameType.FILE_END;
        }
    }

    /** Receiver's verdict on a file: status 0 verified and in place, else an {@link ErrorCode} code. */
    record FileDone(int fileId, int status, String detail) implements Message {
        public static final int OK = 0;

        public FrameType type() {
            return FrameType.FILE_DONE;
        }
    }

    /** A block failed its CRC after decoding; the sender should send it again. */
    record BlockNack(int fileId, long offset, String reason) implements Message {
        public FrameType type() {
            return FrameType.BLOCK_NACK;
        }
    }

    /** Sender has nothing more; receiver applies directory metadata and links, then answers DONE. */
    record Commit() implements Message {
        public FrameType type() {
            return FrameType.COMMIT;
        }
    }

    /** Receiver's statistics; {@code verified} true only when every file's digest matched. */
    record Done(long files, long bytes, long payloadBytes, boolean verified) implements Message {
        public FrameType type() {
            return FrameType.DONE;
        }
    }

    record Error(ErrorCode code, String message) implements Message {
        public FrameType type() {
            return FrameType.ERROR;
        }
    }

    /** First frame on a data stream. */
    record Join(byte[] sessionId, int stream) implements Message {
        public FrameType type() {
            return FrameType.JOIN;
        }
    }

    record JoinAck(int stream) implements Message {
        public FrameType type() {
            return FrameType.JOIN_ACK;
        }
    }
}
