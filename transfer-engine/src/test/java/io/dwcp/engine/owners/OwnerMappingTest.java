package io.dwcp.engine.owners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.OwnerNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Owners by name between two hosts whose account databases differ: each side's passwd and group files are written
 * here (the database is what is replaced, not the naming or the mapping), the sender names a batch's ids and the
 * receiver maps them as rsync does.
 */
class OwnerMappingTest {
    @TempDir
    Path dir;

    private Accounts accounts(String name, String passwd, String group) throws IOException {
        Path p = Files.writeString(dir.resolve(name + ".passwd"), passwd);
        Path g = Files.writeString(dir.resolve(name + ".group"), group);
        return new Accounts(new AccountFile(p), new AccountFile(g)).refresh();
    }

    @Test
    void namesTravelOncePerBatchAndMapToTheReceiversIds() throws IOException {
        Accounts sender = accounts("sender", """
                root:x:0:0:root:/root:/bin/bash
                alice:x:1000:1000::/home/alice:/bin/sh
                bob:x:1001:1001::/home/bob:/bin/sh
                onlyhere:x:1002:1002::/:/bin/sh
                """, """
                root:x:0:
                staff:x:50:alice,bob
                alice:x:1000:
                """);
        Accounts receiver = accounts("receiver", """
                root:x:0:0:root:/root:/bin/bash
                bob:x:2001:2001::/home/bob:/bin/sh
                alice:x:2000:2000::/home/alice:/bin/sh
                """, """
                root:x:0:
                alice:x:2000:
                staff:x:60:
                """);
        List<Entry> batch = List.of(
                Entry.file("a", 1, 0644, 0).withOwner(1000, 50),
                Entry.file("b", 1, 0644, 0).withOwner(1001, 1000),
                Entry.file("a2", 1, 0644, 0).withOwner(1000, 50),
                Entry.file("unknown-there", 1, 0644, 0).withOwner(1002, 1002), // named here, not there; 1002 unnamed
                Entry.file("no-name", 1, 0644, 0).withOwner(4242, 4343),
                Entry.file("root", 1, 0644, 0).withOwner(0, 0),
                Entry.file("not-given", 1, 0644, 0));

        OwnerNames names = new OwnerNaming(sender).names(batch);
        assertEquals(Map.of(1000, "alice", 1001, "bob", 1002, "onlyhere"), names.users(), "each id once, root never");
        assertEquals(Map.of(50, "staff", 1000, "alice"), names.groups());

        List<Entry> mapped = new OwnerMapping(receiver).map(batch, names);
        assertEquals(List.of(List.of(2000, 60), List.of(2001, 2000), List.of(2000, 60), List.of(1002, 1002),
                List.of(4242, 4343), List.of(0, 0), List.of(-1, -1)),
                mapped.stream().map(e -> List.of(e.uid(), e.gid())).toList());
        assertSame(batch, new OwnerMapping(receiver).map(batch, OwnerNames.NONE), "--numeric-ids: numbers as they are");
    }

    @Test
    void rootIsNeverMappedEvenWhereItsNameMeansAnotherId() throws IOException {
        Accounts receiver = accounts("odd", "root:x:7:7::/:/bin/sh\n", "root:x:7:\n");
        OwnerNames names = new OwnerNames(Map.of(5, "root"), Map.of(5, "root"));
        List<Entry> mapped = new OwnerMapping(receiver).map(List.of(Entry.file("f", 0, 0644, 0).withOwner(0, 5)), names);
        assertEquals(List.of(0, 7), List.of(mapped.get(0).uid(), mapped.get(0).gid()));
    }

    @Test
    void theFileFormatIsReadAsLibcReadsIt() throws IOException {
        AccountFile f = new AccountFile(Files.writeString(dir.resolve("passwd"), """
                # a comment:x:5:
                +nisuser:x:6:6::/:/bin/sh
                -nisgone:x:7:7::/:/bin/sh
                first:x:10:10::/:/bin/sh
                second:x:10:10::/:/bin/sh
                first:x:11:11::/:/bin/sh
                bad-id:x:ten:10::/:/bin/sh
                negative:x:-3:3::/:/bin/sh
                nobodyish:x:4294967295:1::/:/bin/sh
                :x:12:12::/:/bin/sh
                short:x
                noterminator:x:13""")).refresh();
        assertEquals("first", f.name(10), "the first line with an id names it, as getpwuid answers");
        assertEquals(10, f.id("first"), "the first line with a name gives its id, as getpwnam answers");
        assertEquals(10, f.id("second"));
        assertEquals("noterminator", f.name(13));
        for (String none : List.of("# a comment", "+nisuser", "-nisgone", "bad-id", "negative", "nobodyish", "short")) {
            assertNull(f.id(none), none);
        }
        assertNull(f.name(5));
        assertNull(f.name(12));
        assertNull(new AccountFile(dir.resolve("missing")).refresh().name(0), "a missing file knows no one");
    }

    @Test
    void aChangedFileIsReadAgainAndAnUnchangedOneIsNot() throws IOException {
        Path p = Files.writeString(dir.resolve("group"), "g:x:100:\n");
        AccountFile f = new AccountFile(p).refresh();
        assertEquals("g", f.name(100));
        Files.writeString(p, "h:x:100:\n"); // same size: told apart by the mtime
        Files.setLastModifiedTime(p, FileTime.fromMillis(Files.getLastModifiedTime(p).toMillis() + 5000));
        assertEquals("h", f.refresh().name(100));
        Files.delete(p);
        assertNull(f.refresh().name(100));
    }

    @Test
    void onlyTheFirstPartOfAHugeFileIsRead() throws IOException {
        StringBuilder b = new StringBuilder("early:x:1:1::/:/bin/sh\n");
        String filler = "#".repeat(1023) + "\n";
        while (b.length() <= AccountFile.MAX_BYTES) {
            b.append(filler);
        }
        b.append("late:x:2:2::/:/bin/sh\n");
        AccountFile f = new AccountFile(Files.writeString(dir.resolve("huge"), b)).refresh();
        assertEquals("early", f.name(1));
        assertNull(f.name(2), "past the bound: unknown here, the id travels as its number");
    }
}
