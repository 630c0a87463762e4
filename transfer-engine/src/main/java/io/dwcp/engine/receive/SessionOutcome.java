package io.dwcp.engine.receive;

/**
 * How a session ended, for the one-shot receiver's exit status and for logs.
 *
 * @param failed       entries that failed in a committed session (the rest of the tree went on)
 * @param verifyFailed of those, files whose data did not verify (a digest that did not match, a missing block)
 */
public record SessionOutcome(boolean committed, boolean verified, long files, long bytes, long payloadBytes,
                             long failed, long verifyFailed, String error) {
}
