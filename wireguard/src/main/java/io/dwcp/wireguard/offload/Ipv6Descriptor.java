package io.dwcp.wireguard.offload;

/**
 * Layout of the IPv6 fixed header (RFC 8200), all fields big-endian. Extension headers are not handled by the
 * offload code: a packet whose next header is not the transport header is passed through or rejected.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------+---------------+---------------------------------------+
 *  |Version| Traffic Class |              Flow Label               |  +0
 *  +-------+---------------+-------+---------------+---------------+
 *  |        Payload Length         |  Next Header  |   Hop Limit   |  +4
 *  +-------------------------------+---------------+---------------+
 *  |                    Source Address (128 bit)                   |  +8
 *  +---------------------------------------------------------------+
 *  |                 Destination Address (128 bit)                 |  +24
 *  +---------------------------------------------------------------+
 *  |                 upper-layer header ...                        |  +40
 * </pre>
 */
public final class Ipv6Descriptor {
    public static final int VERSION = 6;
    public static final int HEADER_LENGTH = 40;

    public static final int VERSION_CLASS_FLOW_OFFSET = 0;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int NEXT_HEADER_OFFSET = 6;
    public static final int HOP_LIMIT_OFFSET = 7;
    public static final int SOURCE_OFFSET = 8;
    public static final int DESTINATION_OFFSET = 24;
    /** Source and destination are adjacent: one range for the pseudo-header and flow keys. */
    public static final int ADDRESSES_LENGTH = 32;

    public static final int MAX_PAYLOAD_LENGTH = 0xFFFF;

    private Ipv6Descriptor() {
    }
}
