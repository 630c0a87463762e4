package io.dwcp.cli;

import io.dwcp.engine.send.TransferClient;
import java.io.PrintStream;

/**
 * The progress line on stderr: bytes, percentage, rate over the last interval, ETA. While the tree is still being
 * read its total grows, so it is shown as a lower bound ({@code 3.40 GiB+}) with no ETA: a percentage of a total that
 * is not known yet went down as the walk found more.
 */
final class Progress implements AutoCloseable {
    private final TransferClient client;
    private final PrintStream out;
    private final Thread thread;
    private volatile boolean running = true;

    Progress(TransferClient client, PrintStream out) {
        this.client = client;
        this.out = out;
        this.thread = Thread.ofPlatform().daemon().name("dwcp-progress").start(this::loop);
    }

    private void loop() {
        long lastBytes = 0;
        long lastTime = System.nanoTime();
        double rate = 0;
        while (running) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            long b = client.progressBytes();
            double inst = (b - lastBytes) / ((now - lastTime) / 1e9);
            rate = rate == 0 ? inst : 0.7 * rate + 0.3 * inst;
            lastBytes = b;
            lastTime = now;
            out.print(line(b, client.totalBytes(), client.walked(), rate));
            out.flush();
        }
    }

    /** One progress line, starting with a carriage return; {@code walked} false: {@code total} may still grow. */
    static String line(long bytes, long total, boolean walked, double rate) {
        long t = Math.max(1, total);
        if (!walked) {
            return String.format(java.util.Locale.ROOT, "\r%s / %s+  %s  reading the tree   ", Units.bytes(bytes),
                    Units.bytes(total), Units.rate(rate));
        }
        double eta = rate > 0 ? (t - bytes) / rate : 0;
        return String.format(java.util.Locale.ROOT, "\r%s / %s  %3d%%  %s  ETA %s   ", Units.bytes(bytes),
                Units.bytes(total), (int) (100 * bytes / t), Units.rate(rate), Units.duration(eta));
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        out.print("\r\033[K");
        out.flush();
    }
}
