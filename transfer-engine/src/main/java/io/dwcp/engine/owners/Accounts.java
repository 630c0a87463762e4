package io.dwcp.engine.owners;

import java.nio.file.Path;

/**
 * The users and groups of this host, by name and by id, from its passwd and group files ({@link AccountFile}).
 *
 * @param users  the passwd file
 * @param groups the group file
 */
public record Accounts(AccountFile users, AccountFile groups) {
    private static final Accounts SYSTEM = new Accounts(new AccountFile(Path.of("/etc/passwd")),
            new AccountFile(Path.of("/etc/group")));

    /** This host's, {@code /etc/passwd} and {@code /etc/group}, read again when they change. */
    public static Accounts system() {
        return SYSTEM.refresh();
    }

    /** Reads what changed since the last look. */
    public Accounts refresh() {
        users.refresh();
        groups.refresh();
        return this;
    }
}
