package io.dwcp.server;

import io.dwcp.core.message.Message;
import io.dwcp.server.session.TransferSession;
import java.util.function.Consumer;

/** What connection handlers need from the server. */
public interface ServerContext {
    ServerConfig config();

    int dataPort();

    /** A new registered session, or null when the session limit is reached. */
    TransferSession newSession(int streams, Consumer<Message> out);
}
