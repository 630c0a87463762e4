package io.dwcp.core.manifest;

import java.util.function.Predicate;

/**
 * Which extended attributes travel and which a receiver may change, as {@code rsync -X} decides: the sender offers
 * every namespace but {@code system.*} (ACLs and other attributes the kernel derives from the inode, which are
 * {@code -A}'s business) and rsync's own {@code user.rsync.%*} bookkeeping; a receiver running as root applies
 * (and removes) every namespace but {@code system.*}, any other receiver {@code user.*} only, which is all an
 * unprivileged process may write.
 */
public final class XattrPolicy implements Predicate<String> {
    /** A privileged receiver's policy: everything but {@code system.*}. */
    public static final XattrPolicy PRIVILEGED = new XattrPolicy(true);
    /** An unprivileged receiver's policy: {@code user.*} only. */
    public static final XattrPolicy USER_ONLY = new XattrPolicy(false);

    private static final String USER = "user.";
    private static final String SYSTEM = "system.";
    /** rsync's private attributes ({@code --fake-super} stat data and the like), copied only with {@code -XX}. */
    private static final String RSYNC_PRIVATE = "user.rsync.%";

    private final boolean privileged;

    private XattrPolicy(boolean privileged) {
        this.privileged = privileged;
    }

    /** True for a name the sender offers. */
    public static boolean sendable(String name) {
        return !name.startsWith(SYSTEM) && !name.startsWith(RSYNC_PRIVATE);
    }

    /** True for a name this receiver applies, and removes when the sender no longer has it. */
    @Override
    public boolean test(String name) {
        return privileged ? !name.startsWith(SYSTEM) : name.startsWith(USER);
    }

    @Override
    public String toString() {
        return privileged ? "all-but-system" : "user-only";
    }
}
