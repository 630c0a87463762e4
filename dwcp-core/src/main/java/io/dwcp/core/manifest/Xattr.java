package io.dwcp.core.manifest;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One extended attribute: its full name with the namespace ({@code user.mime_type}, {@code security.selinux}) and
 * its value, raw bytes. Compared by content.
 *
 * @param name  the attribute's name, 1..{@link io.dwcp.core.Limits#MAX_XATTR_NAME_BYTES} UTF-8 bytes
 * @param value its value, at most {@link io.dwcp.core.Limits#MAX_XATTR_VALUE_BYTES} bytes; not copied, so treat it as
 *              read-only
 */
public record Xattr(String name, byte[] value) {
    @Override
    public boolean equals(Object o) {
        return o instanceof Xattr x && name.equals(x.name) && Arrays.equals(value, x.value);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return name + "=0x" + HexFormat.of().formatHex(value, 0, Math.min(value.length, 32))
                + (value.length > 32 ? "..." : "");
    }
}
