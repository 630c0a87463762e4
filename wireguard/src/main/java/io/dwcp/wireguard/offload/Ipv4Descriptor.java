package io.dwcp.wireguard.offload;

/**
 * Layout of an IPv4 header (RFC 791), all fields big-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------+-------+---------------+-------------------------------+
 *  |Version|  IHL  |      TOS      |         Total Length          |  +0
 *  +-------+-------+---------------+-----+-------------------------+
 *  |        Identification         |Flags|     Fragment Offset     |  +4
 *  +---------------+---------------+-----+-------------------------+
 *  |      TTL      |   Protocol    |        Header Checksum        |  +8
 *  +---------------+---------------+-------------------------------+
 *  |                        Source Address                         |  +12
 *  +---------------------------------------------------------------+
 *  |                      Destination Address                      |  +16
 *  +---------------------------------------------------------------+
 *  |                 Options (IHL > 5, up to 40 bytes)             |  +20
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * Flags are reserved (0x8000 of the 16-bit word at +6), DF (0x4000) and MF (0x2000).
 */
public final class Ipv4Descriptor {
    public static final int VERSION = 4;
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;

    public static final int VERSION_IHL_OFFSET = 0;
    public static final int TOS_OFFSET = 1;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int ID_OFFSET = 4;
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    public static final int TTL_OFFSET = 8;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int CHECKSUM_OFFSET = 10;
    public static final int SOURCE_OFFSET = 12;
    public static final int DESTINATION_OFFSET = 16;
    /** Source and destination are adjacent: one range for the pseudo-header and flow keys. */
    public static final int ADDRESSES_LENGTH = 8;

    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    public static final int MAX_TOTAL_LENGTH = 0xFFFF;

    private Ipv4Descriptor() {
    }
}
