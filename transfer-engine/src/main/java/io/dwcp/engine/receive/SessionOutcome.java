package io.dwcp.engine.receive;

/** How a session ended, for the one-shot receiver's exit status and for logs. */
public record SessionOutcome(boolean committed, boolean verified, long files, long bytes, long payloadBytes,
                             String error) {
}
