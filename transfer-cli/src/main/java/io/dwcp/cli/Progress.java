package io.dwcp.cli;

import io.dwcp.engine.send.TransferClient;
import java.io.PrintStream;

/** The progress line on stderr: bytes, percentage, rate over the last interval, ETA. */
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
            long total = Math.max(1, client.totalBytes());
            double eta = rate > 0 ? (total - b) / rate : 0;
            out.printf("\r%s / %s  %3d%%  %s  ETA %s   ", Units.bytes(b), Units.bytes(total), (int) (100 * b / total),
                    Units.rate(rate), Units.duration(eta));
            out.flush();
        }
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
