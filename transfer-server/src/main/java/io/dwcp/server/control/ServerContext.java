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

    /**
     * A new registered session for the client at {@code remote}, whose identity chooses its root; null when the
     * session limit is reached. Callers check {@link #refusal} first.
     */
    TransferSession newSession(int streams, Consumer<Message> out, java.net.InetSocketAddress remote);

    /** Why a client at {@code remote} may not open a session ({@code key=value}), or null when it may. */
    String refusal(java.net.InetSocketAddress remote);
}
