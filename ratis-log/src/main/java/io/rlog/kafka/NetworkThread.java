package io.rlog.kafka;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector thread serving many connections (Kafka's "processor"): reads frames, dispatches them (handlers do
 * not block), writes responses. Other threads hand it new sockets and completed responses through queues and a
 * selector wake-up, so a connection's socket and slot order are only ever touched by this thread.
 */
final class NetworkThread implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(NetworkThread.class);
    // Bounds how long a stop request can go unnoticed should a wake-up be lost.
    private static final long SELECT_TIMEOUT_MS = 500;

    private final Selector selector;
    private final RequestDispatcher dispatcher;
    private final ListenerConfig config;
    private final AtomicInteger openConnections;
    private final Thread thread;
    private final Queue<SocketChannel> accepted = new ConcurrentLinkedQueue<>();
    private final Queue<Connection> woken = new ConcurrentLinkedQueue<>();
    private final Set<Connection> connections = new HashSet<>();
    private volatile boolean running = true;

    NetworkThread(String threadName, RequestDispatcher dispatcher, ListenerConfig config, AtomicInteger openConnections)
            throws IOException {
        this.selector = Selector.open();
        this.dispatcher = dispatcher;
        this.config = config;
        this.openConnections = openConnections;
        this.thread = new Thread(this, threadName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    RequestDispatcher dispatcher() {
        return dispatcher;
    }

    /** Takes over an accepted socket (from the acceptor thread). */
    void adopt(SocketChannel channel) {
        accepted.add(channel);
        selector.wakeup();
    }

    /** Tells this thread that a connection has a response or a close request ready (from any thread). */
    void wake(Connection connection) {
        woken.add(connection);
        // On this thread (a request of one connection completed another's parked fetch, say) the loop drains the
        // queue before it selects again, so no wake-up is needed.
        if (Thread.currentThread() != thread) {
            selector.wakeup();
        }
    }

    void closed(Connection connection) {
        if (connections.remove(connection)) {
            openConnections.decrementAndGet();
        }
    }

    /** Stops the thread and closes its connections; waits for it to finish. */
    void shutdown() throws InterruptedException {
        running = false;
        selector.wakeup();
        thread.join();
    }

    @Override
    public void run() {
        try {
            while (running) {
                selector.select(SELECT_TIMEOUT_MS);
                registerAccepted();
                serveReadyKeys();
                flushWoken();
            }
        } catch (IOException | ClosedSelectorException e) {
            log.error("Kafka network thread {} stopped", thread.getName(), e);
        } finally {
            for (Connection connection : new ArrayList<>(connections)) {
                connection.close("listener closing", false);
            }
            closeUnregistered();
            try {
                selector.close();
            } catch (IOException e) {
                log.debug("Closing selector failed: {}", e.toString());
            }
        }
    }

    private void registerAccepted() {
        SocketChannel channel;
        while ((channel = accepted.poll()) != null) {
            try {
                channel.configureBlocking(false);
                channel.socket().setTcpNoDelay(true);
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                Connection connection = new Connection(channel, key, this, config);
                key.attach(connection);
                connections.add(connection);
            } catch (IOException e) {
                log.debug("Could not register an accepted connection: {}", e.toString());
                openConnections.decrementAndGet();
                closeQuietly(channel);
            }
        }
    }

    private void serveReadyKeys() {
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            Connection connection = (Connection) key.attachment();
            try {
                if (key.isValid() && key.isReadable()) {
                    connection.onReadable(dispatcher);
                }
                if (key.isValid() && key.isWritable()) {
                    connection.flush();
                }
            } catch (IOException e) {
                connection.close("I/O error: " + e.getMessage(), false);
            } catch (RuntimeException e) {
                dropAfterBug(connection, e);
            }
        }
    }

    private void flushWoken() {
        Connection connection;
        while ((connection = woken.poll()) != null) {
            try {
                connection.flush();
            } catch (IOException e) {
                connection.close("I/O error: " + e.getMessage(), false);
            } catch (RuntimeException e) {
                dropAfterBug(connection, e);
            }
        }
    }

    /** A programmer error while serving one connection costs that connection, never the thread serving the others. */
    private static void dropAfterBug(Connection connection, RuntimeException e) {
        log.error("Unexpected failure serving Kafka connection from {}", connection.name(), e);
        connection.close("unexpected failure: " + e, false);
    }

    private void closeUnregistered() {
        SocketChannel channel;
        while ((channel = accepted.poll()) != null) {
            openConnections.decrementAndGet();
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to tell the peer
        }
    }
}
