package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;

/**
 * A source file that no longer holds what was offered (it shrank, or a block read again differs), found before any
 * byte of the block went on the wire: the file alone is given up and the transfer goes on.
 */
final class SourceChangedException extends DwcpException {
    private static final long serialVersionUID = 1L;

    SourceChangedException(String message) {
        super(ErrorCode.IO, message);
    }
}
