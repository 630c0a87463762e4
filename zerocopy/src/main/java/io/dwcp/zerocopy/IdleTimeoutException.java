package io.dwcp.zerocopy;

import java.net.SocketTimeoutException;

/** No progress on a data-plane socket within its idle timeout ({@code EAGAIN} on a socket with SO_RCVTIMEO/SO_SNDTIMEO). */
public class IdleTimeoutException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    public IdleTimeoutException(String op, int fd) {
        super("op=" + op + " reason=idle-timeout fd=" + fd);
    }
}
