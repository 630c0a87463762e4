package io.dwcp.core.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which attributes travel and which a receiver manages, as rsync -X decides; and the attribute set itself. */
class XattrPolicyTest {
    @Test
    void theSenderOffersEverythingButSystemAndRsyncsOwn() {
        for (String name : List.of("user.a", "trusted.b", "security.selinux", "security.capability", "user.rsync.x")) {
            assertTrue(XattrPolicy.sendable(name), name);
        }
        for (String name : List.of("system.posix_acl_access", "system.posix_acl_default", "user.rsync.%stat")) {
            assertFalse(XattrPolicy.sendable(name), name);
        }
    }

    @Test
    void rootManagesAllButSystemAndOthersUserOnly() {
        assertTrue(XattrPolicy.PRIVILEGED.test("trusted.b"));
        assertTrue(XattrPolicy.PRIVILEGED.test("security.selinux"));
        assertTrue(XattrPolicy.PRIVILEGED.test("user.a"));
        assertFalse(XattrPolicy.PRIVILEGED.test("system.posix_acl_access"));
        assertTrue(XattrPolicy.USER_ONLY.test("user.a"));
        assertFalse(XattrPolicy.USER_ONLY.test("trusted.b"));
        assertFalse(XattrPolicy.USER_ONLY.test("security.selinux"));
        assertFalse(XattrPolicy.USER_ONLY.test("userx.a"), "the namespace is user., not a prefix of it");
    }

    @Test
    void setsAreSortedComparedByContentAndFiltered() {
        Xattrs x = Xattrs.of(List.of(new Xattr("user.b", new byte[] {2}), new Xattr("trusted.a", new byte[] {1, 1})));
        assertEquals(List.of("trusted.a", "user.b"), x.list().stream().map(Xattr::name).toList());
        assertEquals(x, Xattrs.of(List.of(new Xattr("trusted.a", new byte[] {1, 1}), new Xattr("user.b", new byte[] {2}))));
        assertNotEquals(x, Xattrs.of(List.of(new Xattr("trusted.a", new byte[] {1, 2}), new Xattr("user.b", new byte[] {2}))));
        assertEquals(9 + 2 + 6 + 1, x.bytes(), "names and values");
        assertEquals(List.of(new Xattr("user.b", new byte[] {2})), x.only(XattrPolicy.USER_ONLY).list());
        assertSame(x, x.only(XattrPolicy.PRIVILEGED), "nothing filtered: the same set");
        assertSame(Xattrs.UNKNOWN, Xattrs.UNKNOWN.only(XattrPolicy.USER_ONLY), "not sent stays not sent");
        assertNotEquals(Xattrs.UNKNOWN, Xattrs.NONE, "not sent is not the same as none");
        assertSame(Xattrs.NONE, Xattrs.of(List.of()));
    }
}
