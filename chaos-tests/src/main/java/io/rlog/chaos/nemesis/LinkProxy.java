package io.rlog.chaos.nemesis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder for one ordered pair: connections that {@code from} opens to {@code to} arrive here and are
 * forwarded to {@code to}'s real address. Two gates decide which directions flow (see {@link CutStyle}).
 *
 * <p>Threads: one accept thread, two copy threads per connection (the traffic is a handful of long-lived gRPC
 * and Kafka connections). Every thread is a daemon and ends when the proxy closes.
 */
final class LinkProxy implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 2_000;
    private static final int BUFFER_BYTES = 64 * 1024;

    private final Link link;
    private final InetSocketAddress target;
    private final ServerSocket server;
    /** Bytes from {@code link.from()} to {@code link.to()}. */
    private final Gate forward = new Gate();
    /** Bytes back from {@code link.to()} to {@code link.from()}. */
    private final Gate backward = new Gate();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile CutStyle style = CutStyle.STALL;
    private volatile boolean closed;

    LinkProxy(Link link, InetSocketAddress listen, InetSocketAddress target) throws IOException {
        this.link = link;
        this.target = target;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(listen, 64);
        daemon("proxy-accept-" + link, this::acceptLoop).start();
    }

    Link link() {
        return link;
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** Shuts or opens each direction; under {@link CutStyle#RESET} a shut direction also resets connections. */
    void set(boolean forwardOpen, boolean backwardOpen, CutStyle how) {
        style = how;
        forward.set(forwardOpen);
        backward.set(backwardOpen);
        if (how == CutStyle.RESET && !(forwardOpen && backwardOpen)) {
            sockets.forEach(LinkProxy::reset);
        }
    }

    private boolean resetting() {
        return style == CutStyle.RESET && !(forward.isOpen() && backward.isOpen());
    }

    private void acceptLoop() {
        while (!closed) {
            Socket down;
            try {
                down = server.accept();
            } catch (IOException e) {
                continue; // closed: the loop ends; otherwise a failed accept only loses that connection
            }
            if (resetting()) {
                reset(down);
                continue;
            }
            Socket up = new Socket();
            try {
                up.connect(target, CONNECT_TIMEOUT_MS);
            } catch (IOException e) {
                // The real node is down: refuse, as the node itself would.
                reset(down);
                closeQuietly(up);
                continue;
            }
            sockets.add(down);
            sockets.add(up);
            daemon("proxy-" + link + "-fwd", () -> pipe(down, up, forward)).start();
            daemon("proxy-" + link + "-back", () -> pipe(up, down, backward)).start();
        }
    }

    private void pipe(Socket source, Socket sink, Gate gate) {
        byte[] buf = new byte[BUFFER_BYTES];
        try (InputStream in = source.getInputStream(); OutputStream out = sink.getOutputStream()) {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                if (!gate.awaitOpen()) {
                    break;
                }
                out.write(buf, 0, n);
            }
        } catch (IOException | InterruptedException e) {
            // A reset or closed connection ends both directions, below.
        } finally {
            closeQuietly(source);
            closeQuietly(sink);
            sockets.remove(source);
            sockets.remove(sink);
        }
    }

    @Override
    public void close() {
        closed = true;
        forward.closeForGood();
        backward.closeForGood();
        closeQuietly(server);
        sockets.forEach(LinkProxy::closeQuietly);
    }

    /** Closes with SO_LINGER 0, so the peer gets a TCP RST rather than an orderly FIN. */
    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (SocketException e) {
            // already closed
        }
        closeQuietly(s);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing is best effort
        }
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
