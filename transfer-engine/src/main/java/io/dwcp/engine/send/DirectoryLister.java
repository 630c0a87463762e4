package io.dwcp.engine.send;

import io.dwcp.zerocopy.ConfinedDirectory;
import io.dwcp.zerocopy.ConfinedRoot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads directories for a {@link SourceScanner} on worker threads: each job opens one directory (from its parent's
 * open fd), reads its names, sorts them and {@code lstat}s every one, the system calls that are most of a walk.
 * The scanner takes finished listings in the order they finish and makes entries from them on its own thread, so
 * the walk of a tree runs on as many threads as there are workers plus one.
 *
 * <p>Jobs are taken last in, first out, as a depth-first walk takes them, so the directories waiting stay about
 * one level's worth per level of the tree. A bounded number of listings are read ahead of the scanner (each
 * holds its directory's names and their stats), whatever the shape of the tree.
 */
final class DirectoryLister implements AutoCloseable {
    /**
     * A directory waiting to be listed: {@code local} below the argument's {@code root} (opened as {@code name} in
     * {@code parent} when that is held), offered as {@code rel}, shown to the user as {@code shown}.
     */
    record Pending(ConfinedRoot root, Held parent, String name, String local, String rel, Path shown) {
        Pending child(Held in, String name) {
            return new Pending(root, in, name, local.isEmpty() ? name : local + "/" + name,
                    rel.isEmpty() ? name : rel + "/" + name, shown.resolve(name));
        }

        String childRel(String name) {
            return rel.isEmpty() ? name : rel + "/" + name;
        }
    }

    /**
     * An open directory and the subdirectories still waiting to be opened from it: each is one {@code openat}
     * relative to it, not a walk from the root. Closed when the last has been opened. Calls on it are made under
     * its lock: a worker opening a child and the scanner reading a link in it may overlap.
     */
    final class Held {
        final ConfinedDirectory dir;
        private final AtomicInteger waiting = new AtomicInteger();

        Held(ConfinedDirectory dir) {
            this.dir = dir;
            held.add(this);
        }

        /** Set before the first of {@code n} children is handed to a worker; closes at once when there are none. */
        void expect(int n) {
            waiting.set(n);
            if (n == 0) {
                close();
            }
        }

        void release() {
            if (waiting.decrementAndGet() <= 0) {
                close();
            }
        }

        void close() {
            if (held.remove(this)) {
                synchronized (this) {
                    dir.close();
                }
            }
        }
    }

    /**
     * One directory read: its names sorted, {@code stats.get(i)} what {@code names[i]} is (null when it vanished or
     * could not be looked at; for a big directory possibly still being looked at), and what could not be read.
     *
     * @param dir        the directory, held open for its links and its subdirectories; null when unreadable
     * @param complete   false when names were left out (not text in the file-name charset) or the read failed
     * @param skipped    {@code key=value} lines for what was left out
     */
    record Listing(Pending where, Held dir, String[] names, ListingStats stats, boolean complete, List<String> skipped) {
    }

    /** A directory of this many stat chunks or more is handed on before it is looked at whole. */
    static final int SHARED_CHUNKS = 4;

    private final int workers;
    /** Jobs, taken from the front; a listing's subdirectories go in together, so a worker sees them in order. */
    private final java.util.ArrayDeque<Pending> jobs = new java.util.ArrayDeque<>();
    /** Big directories whose stat chunks idle workers help with ({@link ListingStats}); taken before jobs. */
    private final java.util.ArrayDeque<ListingStats> helpWanted = new java.util.ArrayDeque<>();
    private final java.util.concurrent.locks.ReentrantLock jobLock = new java.util.concurrent.locks.ReentrantLock();
    private final java.util.concurrent.locks.Condition jobReady = jobLock.newCondition();
    private final LinkedBlockingQueue<Listing> done = new LinkedBlockingQueue<>();
    /** Listings read or being read and not yet taken: what bounds the memory read ahead. */
    private final Semaphore ahead;
    private final Set<Held> held = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    private int outstanding;

    /**
     * @param workers   threads that read directories
     * @param readAhead listings that may wait, read, for the scanner
     */
    DirectoryLister(int workers, int readAhead) {
        this.workers = workers;
        this.ahead = new Semaphore(readAhead);
    }

    /** Threads for a machine with {@code cores} cores: one beside the scanner's own on two, at most four. */
    static int workersFor(int cores) {
        return Math.max(1, Math.min(4, cores - 1));
    }

    /** Directory {@code dir}, already open, as a held one: the top of an argument. */
    Held hold(ConfinedDirectory dir) {
        return new Held(dir);
    }

    /** Lists {@code p} on a worker; taken back, in the order jobs finish, from {@link #take}. */
    void submit(Pending p) {
        submitAll(List.of(p));
    }

    /**
     * Lists every one of {@code ps}, ahead of the jobs already waiting and in their order (the first is taken
     * first): the next directories of a depth-first walk. All go in at once, so no worker starts on a later one
     * before an earlier one is there.
     */
    void submitAll(List<Pending> ps) {
        if (ps.isEmpty()) {
            return;
        }
        if (threads.isEmpty()) {
            for (int i = 0; i < workers; i++) {
                threads.add(Thread.ofPlatform().daemon().name("dwcp-scan-list-" + i).start(this::work));
            }
        }
        outstanding += ps.size();
        jobLock.lock();
        try {
            for (int i = ps.size() - 1; i >= 0; i--) {
                jobs.addFirst(ps.get(i));
            }
            jobReady.signalAll();
        } finally {
            jobLock.unlock();
        }
    }

    /** The next stat chunks to help with, else the next directory to list: a {@link ListingStats} or a Pending. */
    private Object nextJob() throws InterruptedException {
        jobLock.lockInterruptibly();
        try {
            while (jobs.isEmpty() && helpWanted.isEmpty()) {
                jobReady.await();
            }
            return helpWanted.isEmpty() ? jobs.pollFirst() : helpWanted.pollFirst();
        } finally {
            jobLock.unlock();
        }
    }

    /** Asks every worker to help with a big directory's stat chunks (a worker finding none left goes on). */
    private void wantHelp(ListingStats stats) {
        jobLock.lock();
        try {
            for (int i = 0; i < workers; i++) {
                helpWanted.addLast(stats);
            }
            jobReady.signalAll();
        } finally {
            jobLock.unlock();
        }
    }

    private Pending pollJob() {
        jobLock.lock();
        try {
            return jobs.pollFirst();
        } finally {
            jobLock.unlock();
        }
    }

    /** Listings submitted and not yet taken. */
    int outstanding() {
        return outstanding;
    }

    /**
     * The next finished listing, its read-ahead room given back. When none has finished, the calling thread lists
     * the next waiting directory itself rather than sleep until a worker is done: on two CPUs that makes it the
     * second lister, and a re-sync of 5,000 directories no longer pays a wake-up per listing (a tenth of the
     * listing thread's time, measured). Blocks only when every submitted directory is being read.
     */
    Listing take() throws IOException {
        try {
            Listing l = done.poll();
            if (l == null) {
                Pending p = pollJob();
                if (p != null) {
                    outstanding--;
                    return list(p);
                }
                l = done.take();
            }
            outstanding--;
            ahead.release();
            return l;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading the source tree");
        }
    }

    private void work() {
        try {
            while (true) {
                ahead.acquire();
                Object job = nextJob();
                if (job instanceof ListingStats stats) {
                    ahead.release(); // helping holds no listing
                    stats.help();
                    continue;
                }
                Listing l = list((Pending) job);
                done.put(l); // a big directory goes at once, its stats still being looked at
                l.stats().help();
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    /** Reads a directory's names, sorted, and looks at each; an unreadable directory lists nothing. */
    private Listing list(Pending p) {
        List<String> names = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        boolean[] complete = {true};
        Held h = null;
        try {
            ConfinedDirectory d;
            if (p.parent() == null) {
                d = p.root().openDirectory(p.local());
            } else {
                synchronized (p.parent()) {
                    d = p.parent().dir.openDirectory(p.name());
                }
            }
            h = new Held(d);
            d.list(names::add, bad -> {
                skipped.add(SourceScanner.unrepresentableLine(p.shown().resolve(bad)));
                complete[0] = false;
            });
        } catch (IOException | RuntimeException e) {
            if (h != null) {
                h.close();
            }
            skipped.add("path=\"" + p.shown() + "\" reason=unreadable-directory detail=\"" + e.getMessage() + "\"");
            return new Listing(p, null, new String[0], new ListingStats(null, new String[0]), false, skipped);
        } finally {
            if (p.parent() != null) {
                p.parent().release();
            }
        }
        String[] sorted = names.toArray(new String[0]);
        Arrays.sort(sorted);
        ListingStats stats = new ListingStats(h.dir, sorted);
        if (stats.chunks() >= SHARED_CHUNKS) {
            wantHelp(stats); // handed on unfinished: whoever needs a stat first makes its chunk
        } else {
            stats.help(); // a few names: looked at here, now
        }
        return new Listing(p, h, sorted, stats, complete[0], skipped);
    }

    /** Stops the workers and closes every directory still held. */
    @Override
    public void close() {
        for (Thread t : threads) {
            t.interrupt();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        threads.clear();
        for (Held h : List.copyOf(held)) {
            h.close();
        }
        jobLock.lock();
        try {
            jobs.clear();
            helpWanted.clear();
        } finally {
            jobLock.unlock();
        }
        done.clear();
    }
}
