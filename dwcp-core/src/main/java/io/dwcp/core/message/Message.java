package io.dwcp.core.message;

import io.dwcp.core.ErrorCode;
import io.dwcp.core.frame.FrameType;
import io.dwcp.core.manifest.Entry;
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

    /** The manifest: destination below the root, block size, entries. File ids are entry indices. */
    record Offer(String dest, int blockSize, List<Entry> entries) implements Message {
        public FrameType type() {
            return FrameType.OFFER;
        }
    }

    /** Receiver's plan for one file entry. */
    record FilePlan(int fileId, int action, long basisSize, byte[] blockDigests) {
        /** No usable basis: send every block. */
        public static final int NEW = 0;
        /** The receiver holds a file at this path; send only blocks whose digest differs. */
        public static final int BASIS = 1;
    }

    record Plan(List<FilePlan> files) implements Message {
        public FrameType type() {
            return FrameType.PLAN;
        }
    }

    /** Sender has sent {@code blocksSent} distinct blocks of the file; its whole-file digest. */
    record FileEnd(int fileId, long blocksSent, byte[] digest) implements Message {
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
