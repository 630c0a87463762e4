package io.dwcp.wireguard.config;

import java.util.Arrays;

/**
 * An IPv4 or IPv6 address with a prefix length, as in {@code 10.0.0.0/24}. The address is kept as written, so an
 * interface address such as {@code 10.0.0.1/24} survives; {@link #masked()} gives the network form that
 * wireguard-go and the kernel store for allowed IPs (they clear the host bits, and {@code wg} only warns). Immutable.
 */
public final class IpPrefix {
    private final byte[] address;
    private final int bits;

    private IpPrefix(byte[] address, int bits) {
        this.address = address;
        this.bits = bits;
    }

    /** A prefix over a copy of {@code address} (4 or 16 bytes) with 0..32 or 0..128 bits. */
    public static IpPrefix of(byte[] address, int bits) {
        if (address.length != 4 && address.length != 16) {
            throw new IllegalArgumentException("error=address must be 4 or 16 bytes length=" + address.length);
        }
        if (bits < 0 || bits > address.length * 8) {
            throw new IllegalArgumentException("error=prefix length out of range bits=" + bits);
        }
        return new IpPrefix(address.clone(), bits);
    }

    /**
     * Parses {@code ADDRESS/BITS}, or a bare address meaning a single host (/32 or /128) as {@code wg} allows.
     * IllegalArgumentException, quoting the input, when invalid.
     */
    public static IpPrefix parse(String text) {
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        byte[] address;
        try {
            address = IpLiterals.parse(host);
        } catch (IllegalArgumentException e) {
            throw invalid(text);
        }
        if (slash < 0) {
            return new IpPrefix(address, address.length * 8);
        }
        String digits = text.substring(slash + 1);
        if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw invalid(text);
        }
        int bits = Integer.parseInt(digits);
        if (bits > address.length * 8) {
            throw invalid(text);
        }
        return new IpPrefix(address, bits);
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("error=invalid prefix '" + text + "'");
    }

    /** This prefix with the host bits cleared (itself if none are set). */
    public IpPrefix masked() {
        if (isMasked()) {
            return this;
        }
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] &= maskByte(i);
        }
        return new IpPrefix(out, bits);
    }

    /** Whether no bit beyond the prefix length is set. */
    public boolean isMasked() {
        for (int i = 0; i < address.length; i++) {
            if ((address[i] & ~maskByte(i) & 0xff) != 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code candidate} (4 or 16 bytes; other families never match) lies inside this prefix. */
    public boolean contains(byte[] candidate) {
        if (candidate.length != address.length) {
            return false;
        }
        for (int i = 0; i < address.length; i++) {
            int m = maskByte(i);
            if (((address[i] ^ candidate[i]) & m) != 0) {
                return false;
            }
        }
        return true;
    }

    private int maskByte(int index) {
        int left = bits - index * 8;
        if (left >= 8) {
            return 0xff;
        }
        return left <= 0 ? 0 : (0xff << (8 - left)) & 0xff;
    }

    /** A copy of the 4 or 16 address bytes, as written (see {@link #masked()}). */
    public byte[] address() {
        return address.clone();
    }

    /** The prefix length in bits. */
    public int bits() {
        return bits;
    }

    /** Whether this is an IPv4 prefix (4 address bytes). */
    public boolean isIpv4() {
        return address.length == 4;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpPrefix p && bits == p.bits && Arrays.equals(address, p.address);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(address) + bits;
    }

    /** {@code ADDRESS/BITS} in wireguard-go's text form, for example {@code fd00::/64}. */
    @Override
    public String toString() {
        return IpLiterals.format(address) + "/" + bits;
    }
}
