package io.rlog.cli.consume;

import io.rlog.cli.Main;
import io.rlog.cli.common.ConnectionOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * `rlog consume`: prints records of every partition of a topic, one per line ({@code value}, or
 * {@code key<TAB>value} with --print-key; a null key or value prints as "null"). Stops after --max-messages,
 * after --timeout-ms with nothing new, or on SIGINT/SIGTERM. The last stderr line is {@code consumed=N}; the
 * exit code is 1 when --max-messages was not reached.
 */
@Command(name = "consume", mixinStandardHelpOptions = true, description = "Print a topic's records, one per line.")
public final class ConsumeCommand implements Callable<Integer> {
    /** One poll's bound: short, so --timeout-ms and interruption are noticed promptly. */
    static final Duration POLL_MAX = Duration.ofMillis(500);
    /** How long a signal waits for the loop to close the consumer before the JVM exits anyway. */
    static final long SHUTDOWN_WAIT_MS = 5_000;

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC")
    String topic;

    @Option(names = "--from-beginning", description = "start at each partition's first record, not its end"
            + " (with --group: where the group has no committed offset)")
    boolean fromBeginning;

    @Option(names = "--group", paramLabel = "GROUP",
            description = "consume as a member of this consumer group, resuming from and committing its offsets")
    String group;

    /** How the consumer is attached; tests of the print loop keep the default, which commits nothing. */
    Positioning positioning = new Positioning.Manual(false);

    @Option(names = "--print-key", description = "print key<TAB>value")
    boolean printKey;

    @Option(names = "--max-messages", paramLabel = "N", description = "stop after N records")
    Long maxMessages;

    @Option(names = "--timeout-ms", paramLabel = "MS", description = "stop when MS pass with no new record")
    Long timeoutMs;

    @Option(names = "--isolation-level", paramLabel = "read_uncommitted|read_committed",
            defaultValue = "read_uncommitted",
            description = "read_committed skips aborted transactions and waits for open ones (default: ${DEFAULT-VALUE})")
    String isolationLevel;

    @Override
    public Integer call() throws Exception {
        if (maxMessages != null && maxMessages < 1) {
            throw new ParameterException(spec.commandLine(), "--max-messages must be at least 1");
        }
        if (timeoutMs != null && timeoutMs < 0) {
            throw new ParameterException(spec.commandLine(), "--timeout-ms must not be negative");
        }
        if (!isolationLevel.equals("read_uncommitted") && !isolationLevel.equals("read_committed")) {
            throw new ParameterException(spec.commandLine(),
                    "--isolation-level must be read_uncommitted or read_committed, got " + isolationLevel);
        }
        positioning = group == null ? new Positioning.Manual(fromBeginning) : new Positioning.Group(group, fromBeginning);
        Map<String, Object> defaults = new java.util.HashMap<>(positioning.clientDefaults());
        defaults.put("key.deserializer", StringDeserializer.class.getName());
        defaults.put("value.deserializer", StringDeserializer.class.getName());
        defaults.put("isolation.level", isolationLevel);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // A signal wakes the consumer out of poll() and waits (bounded) for the loop to close it and print
        // the summary, so an interrupted run still reports what it printed.
        CountDownLatch done = new CountDownLatch(1);
        long consumed;
        try (Consumer<String, String> consumer = new KafkaConsumer<>(connection.clientConfig("rlog-consume", defaults))) {
            positioning.attach(consumer, topic);
            Thread hook = new Thread(() -> wakeAndWait(consumer, done), "rlog-consume-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                consumed = printUntilDone(consumer, out);
            } finally {
                removeQuietly(hook);
            }
        }
        try {
            err.println("consumed=" + consumed);
            if (maxMessages != null && consumed < maxMessages) {
                err.println("rlog consume: error: got " + consumed + " of " + maxMessages + " records before "
                        + (timeoutMs == null ? "being stopped" : "--timeout-ms " + timeoutMs + " passed"));
                return Main.EXIT_FAILED;
            }
            return Main.EXIT_OK;
        } finally {
            err.flush();
            done.countDown();
        }
    }

    /** Polls and prints until --max-messages, --timeout-ms of silence, or a wakeup. */
    long printUntilDone(Consumer<String, String> consumer, PrintWriter out) {
        long consumed = 0;
        long lastRecordNs = System.nanoTime();
        Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> next =
                new java.util.HashMap<>();
        try {
            while (maxMessages == null || consumed < maxMessages) {
                ConsumerRecords<String, String> records = consumer.poll(POLL_MAX);
                for (ConsumerRecord<String, String> r : records) {
                    out.println(format(r.key(), r.value(), printKey));
                    next.put(new org.apache.kafka.common.TopicPartition(r.topic(), r.partition()),
                            new org.apache.kafka.clients.consumer.OffsetAndMetadata(r.offset() + 1));
                    consumed++;
                    if (maxMessages != null && consumed >= maxMessages) {
                        break;
                    }
                }
                out.flush();
                positioning.printed(consumer, next);
                if (!records.isEmpty()) {
                    lastRecordNs = System.nanoTime();
                } else if (timeoutMs != null && System.nanoTime() - lastRecordNs >= timeoutMs * 1_000_000) {
                    break;
                }
            }
        } catch (WakeupException e) {
            // A signal asked us to stop: what was printed stands.
        }
        out.flush();
        positioning.finish(consumer, next);
        return consumed;
    }

    private static void wakeAndWait(Consumer<?, ?> consumer, CountDownLatch done) {
        consumer.wakeup();
        try {
            done.await(SHUTDOWN_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void removeQuietly(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down, which is why the loop ended; the hook waits for us.
        }
    }

    static String format(String key, String value, boolean printKey) {
        return printKey ? key + "\t" + value : String.valueOf(value);
    }
}
