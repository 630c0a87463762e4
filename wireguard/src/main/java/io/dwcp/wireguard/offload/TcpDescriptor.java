package io.dwcp.wireguard.offload;

/**
 * Layout of a TCP header (RFC 9293), all fields big-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+-------------------------------+
 *  |          Source Port          |       Destination Port        |  +0
 *  +-------------------------------+-------------------------------+
 *  |                        Sequence Number                        |  +4
 *  +---------------------------------------------------------------+
 *  |                    Acknowledgment Number                      |  +8
 *  +-------+-------+-+-+-+-+-+-+-+-+-------------------------------+
 *  | Data  |       |C|E|U|A|P|R|S|F|                               |
 *  |Offset | Rsrvd |W|C|R|C|S|S|Y|I|            Window             |  +12
 *  |       |       |R|E|G|K|H|T|N|N|                               |
 *  +-------+-------+-+-+-+-+-+-+-+-+-------------------------------+
 *  |           Checksum            |        Urgent Pointer         |  +16
 *  +-------------------------------+-------------------------------+
 *  |              Options (data offset > 5, up to 40 bytes)        |  +20
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class TcpDescriptor {
    /** IP protocol / next header number of TCP. */
    public static final int PROTOCOL = 6;
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;

    public static final int SOURCE_PORT_OFFSET = 0;
    public static final int DESTINATION_PORT_OFFSET = 2;
    public static final int SEQUENCE_OFFSET = 4;
    public static final int ACK_OFFSET = 8;
    public static final int DATA_OFFSET_OFFSET = 12;
    public static final int FLAGS_OFFSET = 13;
    public static final int WINDOW_OFFSET = 14;
    public static final int CHECKSUM_OFFSET = 16;
    public static final int URGENT_OFFSET = 18;
    public static final int OPTIONS_OFFSET = 20;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    private TcpDescriptor() {
    }
}
