package io.tideline.testkit;

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
 * A TCP proxy on 127.0.0.1 in front of one target port, for tests that need a link to fail while others work.
 * {@link #stall()} turns it into a black hole: bytes either way are taken and dropped, so senders believe they went
 * out and wait for answers that never come, as behind a dead link; {@link #resume()} resets every connection that
 * carried traffic during the stall (the link lost them) and lets new connections through.
 */
public final class TcpProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private volatile boolean stalled;
    private volatile boolean closed;

    private TcpProxy(int targetPort) throws IOException {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy forwarding to {@code 127.0.0.1:targetPort}, listening on a free port. */
    public static TcpProxy to(int targetPort) {
        try {
            return new TcpProxy(targetPort);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("Cannot open a proxy port: " + e.getMessage() + ".", e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public void stall() {
        stalled = true;
    }

    /** Ends the stall: connections that lived through it are reset, new ones flow. */
    public synchronized void resume() {
        stalled = false;
        for (Link l : links) if (l.sawStall) l.close();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        links.forEach(Link::close);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                try {
                    upstream.connect(target, 5_000);
                } catch (IOException e) {
                    client.close();
                    continue;
                }
                Link link = new Link(client, upstream);
                links.add(link);
                link.start();
            } catch (IOException e) {
                if (!closed) System.err.println("tcp proxy: " + e);
            }
        }
    }

    /** One proxied connection: a pump per direction. */
    private final class Link {
        final Socket client;
        final Socket upstream;
        volatile boolean sawStall;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            pump(client, upstream, "up");
            pump(upstream, client, "down");
        }

        private void pump(Socket from, Socket to, String direction) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[64 * 1024];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    while (true) {
                        int n = in.read(buf);
                        if (n < 0) break;
                        if (stalled) {
                            sawStall = true; // swallowed: the sender's kernel thinks it went out
                            continue;
                        }
                        if (sawStall) break; // the link came back: this connection did not survive it
                        out.write(buf, 0, n);
                        out.flush();
                    }
                } catch (IOException ignored) {
                    // the link is gone
                } finally {
                    close();
                }
            }, "tcp-proxy-" + direction + "-" + from.getPort());
            t.setDaemon(true);
            t.start();
        }

        void close() {
            links.remove(this);
            try {
                client.close();
            } catch (IOException ignored) {
                // already gone
            }
            try {
                upstream.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }
}
