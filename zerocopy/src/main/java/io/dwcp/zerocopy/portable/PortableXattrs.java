package io.dwcp.zerocopy.portable;

import io.dwcp.core.manifest.Xattr;
import io.dwcp.zerocopy.ExtendedAttributes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * {@link ExtendedAttributes} through the JDK's {@link UserDefinedFileAttributeView}, which on Linux is the
 * {@code user.*} namespace and nothing else, by path with {@code NOFOLLOW_LINKS} (racy, as everything on the portable
 * path). Only regular files and directories are looked at: the kernel allows {@code user.*} on nothing else, and the
 * JDK would open a FIFO to read its attributes, which blocks. Other namespaces cannot be set here and say so.
 */
final class PortableXattrs implements ExtendedAttributes {
    private static final String USER = "user.";
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final Path path;

    PortableXattrs(Path path) {
        this.path = path;
    }

    private UserDefinedFileAttributeView view() throws IOException {
        UserDefinedFileAttributeView v = Files.getFileAttributeView(path, UserDefinedFileAttributeView.class, NOFOLLOW);
        if (v == null) {
            throw new IOException("op=xattr path=\"" + path + "\" reason=unsupported-on-portable-path");
        }
        return v;
    }

    @Override
    public List<Xattr> read(Predicate<String> wanted) throws IOException {
        BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW);
        if (!a.isRegularFile() && !a.isDirectory()) {
            return List.of();
        }
        UserDefinedFileAttributeView v = view();
        List<String> names;
        try {
            names = v.list();
        } catch (FileSystemException e) {
            if (String.valueOf(e.getReason()).contains("not supported")) {
                return List.of(); // a file system without attributes
            }
            throw e;
        }
        List<Xattr> out = new ArrayList<>();
        for (String n : names) {
            String name = USER + n;
            if (!wanted.test(name)) {
                continue;
            }
            ByteBuffer b;
            try {
                b = ByteBuffer.allocate(v.size(n));
                v.read(n, b);
            } catch (FileSystemException e) {
                continue; // removed between listing and reading
            }
            out.add(new Xattr(name, java.util.Arrays.copyOf(b.array(), b.position())));
        }
        out.sort(Comparator.comparing(Xattr::name));
        return out;
    }

    @Override
    public void set(String name, byte[] value) throws IOException {
        view().write(userName(name), ByteBuffer.wrap(value));
    }

    @Override
    public void remove(String name) throws IOException {
        UserDefinedFileAttributeView v = view();
        String n = userName(name);
        if (v.list().contains(n)) {
            v.delete(n);
        }
    }

    private String userName(String name) throws IOException {
        if (!name.startsWith(USER)) {
            throw new IOException("op=setxattr path=\"" + path + "\" name=" + name
                    + " reason=unsupported-on-portable-path detail=\"the JDK reaches user.* only\"");
        }
        return name.substring(USER.length());
    }
}
