package dev.keys.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 (ephemeral port) in front of the database, to cut it away mid-run: {@link #cut()}
 * closes the listener and every open connection (the database seems down), {@link #restore()} listens again on the
 * same port, and {@link #stall(boolean)} holds every byte in flight (the database seems hung).
 */
final class TcpProxy implements AutoCloseable {
    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Object stallLock = new Object();
    private volatile ServerSocket server;
    private volatile boolean stalled;

    TcpProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        ServerSocket s = listen(0);
        this.port = s.getLocalPort();
        start(s);
    }

    int port() {
        return port;
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return s;
    }

    private void start(ServerSocket s) {
        server = s;
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try {
                    Socket client = s.accept();
                    Socket upstream = new Socket();
                    synchronized (this) {
                        if (server != s || s.isClosed()) {
                            closeQuietly(client);
                            continue;
                        }
                        open.add(client);
                        open.add(upstream);
                    }
                    upstream.connect(new InetSocketAddress(targetHost, targetPort), 2000);
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException e) {
                    // the listener was closed, or the database refused: the client sees its connection close
                }
            }
        }, "tcp-proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    synchronized (stallLock) {
                        while (stalled) stallLock.wait();
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // closed by cut() or by either end
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Closes the listener and every connection through the proxy. */
    synchronized void cut() {
        closeQuietly(server);
        for (Socket s : open) closeQuietly(s);
        open.clear();
    }

    /** Listens again on the same port. */
    synchronized void restore() throws IOException {
        start(listen(port));
    }

    /** Holds (true) or releases (false) every byte passing through. */
    void stall(boolean on) {
        synchronized (stallLock) {
            stalled = on;
            stallLock.notifyAll();
        }
    }

    @Override
    public void close() {
        stall(false);
        cut();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) c.close();
        } catch (Exception ignored) {
            // already closed
        }
    }
}
