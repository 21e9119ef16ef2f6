package io.rlog.kafka;

import io.rlog.broker.Broker;
import io.rlog.broker.GroupCoordinator;
import io.rlog.broker.TransactionCoordinator;
import io.rlog.kafka.group.GroupApis;
import io.rlog.kafka.api.ApiVersionsHandler;
import io.rlog.kafka.api.HandlerTable;
import io.rlog.kafka.fetch.FetchHandler;
import io.rlog.kafka.fetch.ListOffsetsHandler;
import io.rlog.kafka.metadata.CreateTopicsHandler;
import io.rlog.kafka.metadata.DeleteTopicsHandler;
import io.rlog.kafka.metadata.DescribeConfigsHandler;
import io.rlog.kafka.metadata.MetadataHandler;
import io.rlog.kafka.produce.InitProducerIdHandler;
import io.rlog.kafka.produce.ProduceHandler;
import io.rlog.kafka.txn.TxnApis;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka wire-protocol listener of one node: unmodified Kafka clients bootstrap to it.
 *
 * <p>Threads: one acceptor (blocking accept), {@link ListenerConfig#networkThreads()} selector threads that own
 * the connections (read, decode, call the handler, write), and one timer thread for long-poll deadlines. Handlers
 * never block; broker futures complete on the broker's threads and hand the encoded response back to the owning
 * selector thread, which writes responses in request order per connection.
 *
 * <p>Lifecycle: construct, {@link #start}, {@link #close} (idempotent; closes every connection).
 */
public final class KafkaListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaListener.class);

    private final ListenerConfig config;
    private final RequestDispatcher dispatcher;
    private final ScheduledThreadPoolExecutor timer;
    /** Runs the parked fetches woken by an append (see AppendWatches), off the thread that applied it. */
    private final ExecutorService fetchWakes;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final List<NetworkThread> networkThreads = new ArrayList<>();
    private ServerSocketChannel serverChannel;
    private Thread acceptor;
    private volatile int boundPort = -1;
    private boolean closed;

    /** A listener for the core APIs only (no consumer groups, no CreatePartitions). */
    public KafkaListener(Broker broker, ListenerConfig config) {
        this(broker, null, config);
    }

    /** {@code groups}: the node's group coordinator; null serves no group API. */
    public KafkaListener(Broker broker, GroupCoordinator groups, ListenerConfig config) {
        this(broker, groups, config, ServingGate.opened());
    }

    /** {@code gate}: holds every request but ApiVersions until the node may answer (see {@link ServingGate}). */
    public KafkaListener(Broker broker, GroupCoordinator groups, ListenerConfig config, ServingGate gate) {
        this(broker, groups, null, config, gate);
    }

    /** {@code txns}: the node's transaction coordinator (it needs {@code groups}); null serves no transaction API. */
    public KafkaListener(Broker broker, GroupCoordinator groups, TransactionCoordinator txns, ListenerConfig config,
                         ServingGate gate) {
        this.config = config;
        this.timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "rlog-kafka-timer");
            thread.setDaemon(true);
            return thread;
        });
        // A cancelled long-poll deadline must not stay queued until it would have fired.
        timer.setRemoveOnCancelPolicy(true);
        AtomicInteger wakeThreads = new AtomicInteger();
        this.fetchWakes = Executors.newFixedThreadPool(config.networkThreads(), runnable -> {
            Thread thread = new Thread(runnable, "rlog-kafka-fetch-wake-" + wakeThreads.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        });
        HandlerTable table = new HandlerTable()
                .register(new MetadataHandler(broker, config, this::port))
                .register(new CreateTopicsHandler(broker, config))
                .register(new DeleteTopicsHandler(broker, config))
                .register(new DescribeConfigsHandler(broker, config))
                .register(new ProduceHandler(broker, config))
                .register(new InitProducerIdHandler(broker, groups == null ? null : txns))
                .register(new FetchHandler(broker, config, timer, fetchWakes))
                .register(new ListOffsetsHandler(broker));
        if (groups != null) {
            GroupApis.register(table, broker, groups, txns, config, this::port);
            if (txns != null) {
                TxnApis.register(table, txns, groups);
            }
        }
        ApiVersionsHandler apiVersions = new ApiVersionsHandler(table);
        table.register(apiVersions);
        this.dispatcher = new RequestDispatcher(table, apiVersions, gate);
    }

    /** Binds {@code host:port} (port 0 picks a free one, see {@link #port()}) and starts serving. */
    public synchronized void start(String host, int port) throws IOException {
        if (serverChannel != null || closed) {
            throw new IllegalStateException("listener already started or closed");
        }
        ServerSocketChannel channel = ServerSocketChannel.open();
        try {
            channel.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        serverChannel = channel;
        boundPort = ((InetSocketAddress) serverChannel.getLocalAddress()).getPort();
        for (int i = 0; i < config.networkThreads(); i++) {
            NetworkThread thread = new NetworkThread("rlog-kafka-network-" + boundPort + "-" + i, dispatcher, config,
                    openConnections);
            networkThreads.add(thread);
            thread.start();
        }
        acceptor = new Thread(this::acceptLoop, "rlog-kafka-acceptor-" + boundPort);
        acceptor.setDaemon(true);
        acceptor.start();
        log.info("Kafka listener on {}:{}", host, boundPort);
    }

    /** The bound port, or -1 before {@link #start}. */
    public int port() {
        return boundPort;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (serverChannel != null) {
                serverChannel.close();
            }
            if (acceptor != null) {
                acceptor.join();
            }
            for (NetworkThread thread : networkThreads) {
                thread.shutdown();
            }
        } catch (IOException e) {
            log.warn("Closing the Kafka listener socket failed: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            timer.shutdownNow();
            fetchWakes.shutdownNow();
        }
    }

    private void acceptLoop() {
        int next = 0;
        while (true) {
            SocketChannel channel;
            try {
                channel = serverChannel.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // Typically too many open files: keep the listener alive, the next accept may succeed.
                log.warn("Accepting a Kafka connection failed: {}", e.toString());
                continue;
            }
            if (openConnections.incrementAndGet() > config.maxConnections()) {
                openConnections.decrementAndGet();
                log.warn("Refusing Kafka connection from {}: maxConnections {} reached", remote(channel),
                        config.maxConnections());
                closeQuietly(channel);
                continue;
            }
            networkThreads.get(next).adopt(channel);
            next = (next + 1) % networkThreads.size();
        }
    }

    private static String remote(SocketChannel channel) {
        try {
            return String.valueOf(channel.getRemoteAddress());
        } catch (IOException e) {
            return "unknown peer";
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // refused anyway
        }
    }

    /** Connections currently open (accepted and not yet closed). */
    int openConnections() {
        return openConnections.get();
    }
}
