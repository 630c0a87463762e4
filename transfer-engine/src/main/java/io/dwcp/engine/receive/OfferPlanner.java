package io.dwcp.engine.receive;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.core.Limits;
import io.dwcp.core.digest.BlockDigests;
import io.dwcp.core.manifest.Entry;
import io.dwcp.core.manifest.EntryKind;
import io.dwcp.core.manifest.RelativePaths;
import io.dwcp.core.message.ControlCodec;
import io.dwcp.core.message.Message;
import io.dwcp.engine.storage.BasisDigests;
import io.dwcp.engine.storage.IncomingFile;
import io.dwcp.engine.storage.ReceivingPaths;
import io.dwcp.engine.storage.SpaceLedger;
import io.dwcp.engine.storage.StorageRoot;
import io.dwcp.zerocopy.FileStat;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Answers an OFFER: claims the offered paths, makes the directories, looks at what the root already has, promises
 * the space the new bytes need, digests each existing file (the basis its changed blocks are compared against) and
 * builds the PLAN. Runs on the session's thread; the session supplies how to count activity and whether it was
 * abandoned meanwhile.
 */
final class OfferPlanner {
    /** The receiving state an accepted offer sets up. */
    record Planned(List<Entry> entries, IncomingFile[] files, Message.Plan plan, SpaceLedger.Claim claim, int blockSize,
                   int fileCount, long offeredBytes, long newBytes) {
    }

    private final StorageRoot root;
    private final ReceivingPaths receiving;
    private final SpaceLedger ledger;
    private final Limits limits;

    OfferPlanner(StorageRoot root, ReceivingPaths receiving, SpaceLedger ledger, Limits limits) {
        this.root = root;
        this.receiving = receiving;
        this.ledger = ledger;
        this.limits = limits;
    }

    /**
     * Plans {@code offer} for {@code owner}; returns null when {@code abandoned} turned true on the way (the claim,
     * if one was made, is given back).
     *
     * @param onProgress runs after each digested block: digesting is activity, not idleness
     */
    Planned plan(Message.Offer offer, Object owner, Runnable onProgress, BooleanSupplier abandoned)
            throws DwcpException {
        String dest = offer.dest();
        String destDir = root.check(dest);
        if (!dest.isEmpty()) {
            root.ensureParents(destDir, dest);
            root.ensureDirectory(destDir, dest);
        }
        List<Entry> entries = offer.entries();
        Set<String> seen = new HashSet<>();
        long offered = 0;
        int fileCount = 0;
        List<String> targets = new ArrayList<>();
        List<String> shownPaths = new ArrayList<>();
        for (Entry e : entries) {
            if (!seen.add(e.path())) {
                throw DwcpException.protocol("frame=offer reason=duplicate-path path=\"" + e.path() + "\"");
            }
            if (e.kind() == EntryKind.FILE) {
                offered += e.size();
                fileCount++;
            }
            if (e.kind() != EntryKind.DIR) {
                targets.add(root.resolve(dest, e.path()));
                shownPaths.add(e.path());
            }
        }
        receiving.claim(targets, shownPaths, owner);
        // What is at each target decides both the space this transfer must have and its plan.
        FileStat[] existing = new FileStat[entries.size()];
        long newBytes = 0;
        for (int i = 0; i < existing.length; i++) {
            Entry e = entries.get(i);
            String target = root.resolve(dest, e.path());
            String shown = e.path();
            root.ensureParents(target, shown);
            switch (e.kind()) {
                case DIR -> root.ensureDirectory(target, shown);
                case SYMLINK -> refuseDirectory(target, shown);
                case FILE -> {
                    FileStat a = root.stat(target, shown).orElse(null);
                    if (a != null && a.isDirectory()) {
                        throw RelativePaths.refused(shown, "exists-as-directory");
                    }
                    if (a != null && a.isRegularFile()) {
                        existing[i] = a;
                    } else {
                        newBytes += e.size();
                    }
                }
            }
        }
        int bs = offer.blockSize();
        checkPlanFits(existing, fileCount, bs);
        // Claimed before any basis is digested: a transfer without room is refused at once.
        SpaceLedger.Claim claim = ledger.claim(newBytes);
        IncomingFile[] files = digestAndPlan(entries, dest, existing, bs, onProgress, abandoned);
        if (files == null) {
            ledger.release(claim);
            return null;
        }
        List<Message.FilePlan> plans = new ArrayList<>(fileCount);
        for (IncomingFile f : files) {
            if (f != null) {
                plans.add(f.plan());
            }
        }
        return new Planned(entries, files, new Message.Plan(plans), claim, bs, fileCount, offered, newBytes);
    }

    /**
     * One read buffer for every basis of the offer (not one per file), owned by the planning and freed when it
     * ends rather than whenever the collector gets to it.
     */
    private IncomingFile[] digestAndPlan(List<Entry> entries, String dest, FileStat[] existing, int bs,
                                         Runnable onProgress, BooleanSupplier abandoned) throws DwcpException {
        try (Arena arena = Arena.ofConfined()) {
            ByteBuffer scratch = null;
            IncomingFile[] files = new IncomingFile[entries.size()];
            for (int i = 0; i < files.length; i++) {
                Entry e = entries.get(i);
                if (e.kind() != EntryKind.FILE) {
                    continue;
                }
                String target = root.resolve(dest, e.path());
                byte[] basis = null;
                long basisSize = 0;
                if (existing[i] != null) {
                    basisSize = existing[i].size();
                    if (scratch == null) {
                        scratch = arena.allocate(bs, 4096).asByteBuffer();
                    }
                    basis = BasisDigests.digest(root, target, e.path(), basisSize, bs, scratch, onProgress);
                    if (abandoned.getAsBoolean()) {
                        return null; // aborted while digesting (idle, stopped, peer gone): nothing more to plan
                    }
                }
                files[i] = new IncomingFile(i, e, root, target, bs, basis, basisSize);
            }
            return files;
        }
    }

    /**
     * The PLAN carries a digest per block of every file already here; a tree whose digests would not fit in one
     * control frame is refused before they are computed, saying what would make it fit.
     */
    private void checkPlanFits(FileStat[] existing, int files, int bs) throws DwcpException {
        long digestBytes = 0;
        for (FileStat a : existing) {
            if (a != null) {
                digestBytes += ((a.size() + bs - 1) / bs) * BlockDigests.DIGEST_LENGTH;
            }
        }
        long body = ControlCodec.planBodyLength(files, digestBytes);
        if (body > limits.maxControlBody()) {
            throw new DwcpException(ErrorCode.LIMIT, "reason=plan-too-large bytes=" + body + " max_bytes="
                    + limits.maxControlBody() + " block_size=" + bs
                    + " hint=\"a larger --block-size, or the tree in parts\"");
        }
    }

    private void refuseDirectory(String target, String shown) throws DwcpException {
        FileStat a = root.stat(target, shown).orElse(null);
        if (a != null && a.isDirectory()) {
            throw RelativePaths.refused(shown, "exists-as-directory");
        }
    }
}
