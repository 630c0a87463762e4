package io.dwcp.server.control;

import io.dwcp.core.Limits;
import io.dwcp.core.message.Message;
import io.dwcp.engine.receive.TransferSession;
import java.util.function.Consumer;

/** What connection handlers need from the server; the control package owns it, the server implements it. */
public interface ServerContext {
    /** Shared secret clients must present, or null for none. */
    byte[] token();

    Limits limits();

    int dataPort();

    /** A new registered session, or null when the session limit is reached. */
    TransferSession newSession(int streams, Consumer<Message> out);
}
