package io.dwcp.wireguard.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class HkdfTest {

    private static final HexFormat HEX = HexFormat.of();

    // wireguard-go device/kdf_test.go, TestKDF
    private static final String[][] VECTORS = {
        {"746573742d6b6579", "746573742d696e707574",
            "6f0e5ad38daba1bea8a0d213688736f19763239305e0f58aba697f9ffc41c633",
            "df1194df20802a4fe594cde27e92991c8cae66c366e8106aaa937a55fa371e8a",
            "fac6e2745a325f5dc5d11a5b165aad08b0ada28e7b4e666b7c077934a4d76c24"},
        {"776972656775617264", "776972656775617264",
            "491d43bbfdaa8750aaf535e334ecbfe5129967cd64635101c566d4caefda96e8",
            "1e71a379baefd8a79aa4662212fcafe19a23e2b609a3db7d6bcba8f560e3d25f",
            "31e1ae48bddfbe5de38f295e5452b1909a1b4e38e183926af3780b0c1e1f0160"},
        {"", "",
            "8387b46bf43eccfcf349552a095d8315c4055beb90208fb1be23b894bc2ed5d0",
            "58a0e5f6faefccf4807bff1f05fa8a9217945762040bcec2f4b4a62bdfe0e86e",
            "0ce6ea98ec548f8e281e93e32db65621c45eb18dc6f0a7ad94178610a2f7338e"},
    };

    @Test
    void wireguardGoKdfVectors() {
        for (String[] v : VECTORS) {
            byte[] key = HEX.parseHex(v[0]);
            byte[] in = HEX.parseHex(v[1]);
            byte[][] t3 = Hkdf.kdf3(key, in);
            assertEquals(v[2], HEX.formatHex(t3[0]));
            assertEquals(v[3], HEX.formatHex(t3[1]));
            assertEquals(v[4], HEX.formatHex(t3[2]));
            byte[][] t2 = Hkdf.kdf2(key, in);
            assertEquals(v[2], HEX.formatHex(t2[0]));
            assertEquals(v[3], HEX.formatHex(t2[1]));
            assertEquals(v[2], HEX.formatHex(Hkdf.kdf1(key, in)));
        }
    }

    @Test
    void hmacHashesKeysLongerThanABlock() {
        byte[] longKey = new byte[100];
        longKey[99] = 1;
        assertEquals(HEX.formatHex(Hmac.mac(Blake2s.hash(longKey), new byte[] {5})),
                HEX.formatHex(Hmac.mac(longKey, new byte[] {5})));
    }
}
