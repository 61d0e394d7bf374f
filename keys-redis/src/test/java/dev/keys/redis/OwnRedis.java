package dev.keys.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of the test's own, on a free port, that the test may kill and start again. It never touches
 * the shared server on 6379. Readiness is read from the server's own output, not waited for.
 */
final class OwnRedis implements AutoCloseable {
    final int port;
    private Process process;

    OwnRedis() {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    void start() {
        try {
            process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no")
                    .redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            for (String line; (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                if (line.contains("Ready to accept connections")) {
                    Thread drain = new Thread(() -> {
                        try {
                            while (out.readLine() != null) { /* keep the pipe from filling */ }
                        } catch (IOException e) {
                            // the server is gone
                        }
                    }, "own-redis-output");
                    drain.setDaemon(true);
                    drain.start();
                    return;
                }
            }
            throw new IllegalStateException("redis-server did not start:\n" + seen);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the server at once, as a crash would. */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) throw new IllegalStateException("redis-server did not stop");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) kill();
    }
}
