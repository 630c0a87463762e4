package io.dwcp.engine.send;

import io.dwcp.core.DwcpException;
import io.dwcp.core.ErrorCode;
import io.dwcp.engine.runtime.EngineRuntime;
import io.dwcp.zerocopy.IoMode;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The data plane of one send, started on its own thread while the control handshake and the first batch go (probing
 * the I/O path and making native call handles takes 0.1-0.2 s cold), or the caller's shared runtime. Closed with
 * the send: a runtime still starting when the send failed is closed once it has started.
 */
final class RuntimeStart implements AutoCloseable {
    private final EngineRuntime shared;
    private final CompletableFuture<EngineRuntime> starting;

    private RuntimeStart(EngineRuntime shared, CompletableFuture<EngineRuntime> starting) {
        this.shared = shared;
        this.starting = starting;
    }

    /** Starts a client runtime with {@code slabs} buffers of {@code blockSize}, unless {@code shared} is given. */
    static RuntimeStart begin(EngineRuntime shared, IoMode io, int slabs, int blockSize) {
        if (shared != null) {
            return new RuntimeStart(shared, CompletableFuture.completedFuture(shared));
        }
        return new RuntimeStart(null, CompletableFuture.supplyAsync(() -> {
            try {
                return EngineRuntime.client(io, slabs, blockSize);
            } catch (InterruptedException e) {
                throw new CompletionException(e);
            }
        }, r -> Thread.ofPlatform().daemon().name("dwcp-runtime-start").start(r)));
    }

    /**
     * Runs {@code started} with the runtime once it has started: at once, on this thread, when it already has, else
     * on the thread that started it. A start that failed goes to {@code failed} with its reason instead.
     */
    void whenStarted(java.util.function.Consumer<EngineRuntime> started, java.util.function.Consumer<String> failed) {
        starting.whenComplete((r, e) -> {
            if (e == null) {
                started.accept(r);
            } else {
                Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                failed.accept("reason=data-plane-start-failed detail=\"" + c + "\"");
            }
        });
    }

    /** The started runtime; waits for it. */
    EngineRuntime await() throws IOException, InterruptedException {
        try {
            return starting.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause() instanceof CompletionException ce && ce.getCause() != null ? ce.getCause() : e.getCause();
            if (c instanceof InterruptedException ie) {
                throw ie;
            }
            throw new DwcpException(ErrorCode.INTERNAL, "reason=data-plane-start-failed detail=\"" + c + "\"");
        }
    }

    @Override
    public void close() {
        starting.thenAccept(r -> {
            if (r != shared) {
                r.close();
            }
        });
    }
}
