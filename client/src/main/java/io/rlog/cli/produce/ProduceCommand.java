package io.rlog.cli.produce;

import io.rlog.cli.Main;
import io.rlog.cli.common.ConnectionOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * `rlog produce`: one record per stdin line (UTF-8), flushed at EOF. Failures go to stderr as they are
 * reported, and the first one stops the reading of stdin; the last stderr line is
 * {@code produced=N failed=M}, and the exit code is 1 if M > 0. With {@code --transactional-id} all of stdin is
 * one transaction: committed at EOF when nothing failed, aborted otherwise (read_committed consumers then see none
 * of it, and produced is 0); the last line then ends with {@code transaction=committed} or {@code =aborted}.
 */
@Command(name = "produce", mixinStandardHelpOptions = true, description = "Send stdin lines to a topic, one record each.")
public final class ProduceCommand implements Callable<Integer> {
    static final Set<String> ACKS = Set.of("all", "-1", "1", "0");
    /** Past this many, failures are only counted, so a dead cluster does not flood the terminal. */
    static final int FAILURES_PRINTED_MAX = 20;

    @Spec
    CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC")
    String topic;

    @Option(names = "--key-separator", paramLabel = "SEP",
            description = "split each line at the first SEP into key and value; a line without SEP fails")
    String keySeparator;

    @Option(names = "--acks", paramLabel = "all|1|0", defaultValue = "all", description = "default: ${DEFAULT-VALUE}")
    String acks;

    @Option(names = "--transactional-id", paramLabel = "ID",
            description = "send all of stdin as one transaction of this transactional.id (needs --acks all)")
    String transactionalId;

    /** stdin; a field so tests can feed lines. */
    java.io.InputStream input = System.in;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong firstFailedLine = new AtomicLong();

    @Override
    public Integer call() throws Exception {
        if (!ACKS.contains(acks)) {
            throw new ParameterException(spec.commandLine(), "--acks must be all, 1 or 0, got " + acks);
        }
        if (keySeparator != null && keySeparator.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--key-separator must not be empty");
        }
        PrintWriter err = spec.commandLine().getErr();
        // Idempotence is the client's default only with acks=all; it is left to that default.
        Map<String, Object> defaults = new java.util.HashMap<>(Map.of("acks", acks,
                "key.serializer", StringSerializer.class.getName(),
                "value.serializer", StringSerializer.class.getName()));
        if (transactionalId != null) {
            defaults.put("transactional.id", transactionalId);
        }
        java.util.Properties config = connection.clientConfig("rlog-produce", defaults);
        // A transactional.id given with --property makes a transaction too (the client cannot send without one).
        String txnId = config.getProperty("transactional.id");
        if (txnId != null && !(acks.equals("all") || acks.equals("-1"))) {
            throw new ParameterException(spec.commandLine(), "a transactional producer needs --acks all, got " + acks);
        }
        if (txnId != null && txnId.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--transactional-id must not be empty");
        }
        String outcome = "";
        long lineNo = 0;
        try (Producer<String, String> producer = new KafkaProducer<>(config);
             BufferedReader in = new BufferedReader(new InputStreamReader(input, StandardCharsets.UTF_8))) {
            if (txnId != null) {
                producer.initTransactions();
                producer.beginTransaction();
            }
            // Fail fast: after a failed send the cluster is in trouble, and every later send would wait
            // max.block.ms for metadata on its own; what is in flight is still flushed and counted.
            for (String line = in.readLine(); line != null && failed.get() == 0; line = in.readLine()) {
                lineNo++;
                ProducerRecord<String, String> record = toRecord(topic, keySeparator, line);
                if (record == null) {
                    fail(err, lineNo, "no key separator '" + keySeparator + "' in the line");
                    continue;
                }
                final long n = lineNo;
                producer.send(record, (metadata, e) -> {
                    if (e == null) {
                        sent.incrementAndGet();
                    } else {
                        fail(err, n, e.getClass().getSimpleName() + ": " + e.getMessage());
                    }
                });
            }
            producer.flush();
            if (txnId != null) {
                outcome = " transaction=" + endTransaction(producer, err);
            }
        }
        if (firstFailedLine.get() > 0) {
            err.println("rlog produce: stopped reading stdin after the first failure (line " + firstFailedLine.get() + ")");
        }
        err.println("produced=" + sent.get() + " failed=" + failed.get() + outcome);
        err.flush();
        return failed.get() == 0 ? Main.EXIT_OK : Main.EXIT_FAILED;
    }

    /**
     * Commits the transaction when every record was acknowledged, else aborts it; "committed" or "aborted". A commit
     * that fails (the coordinator fenced this producer, or aborted the transaction past its timeout) counts the
     * acknowledged records as failed: none of them will be read at read_committed.
     */
    private String endTransaction(Producer<String, String> producer, PrintWriter err) {
        if (failed.get() == 0) {
            try {
                producer.commitTransaction();
                return "committed";
            } catch (org.apache.kafka.common.KafkaException e) {
                err.println("rlog produce: the transaction did not commit: " + e.getClass().getSimpleName() + ": "
                        + e.getMessage());
            }
        }
        try {
            producer.abortTransaction();
        } catch (org.apache.kafka.common.KafkaException e) {
            // Fenced or timed out: the coordinator has aborted it already, or will at the timeout.
            err.println("rlog produce: abort failed (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        failed.addAndGet(sent.getAndSet(0));
        return "aborted";
    }

    /** The record for one line; null when a separator is required and absent. Pure, for tests. */
    static ProducerRecord<String, String> toRecord(String topic, String keySeparator, String line) {
        if (keySeparator == null) {
            return new ProducerRecord<>(topic, line);
        }
        int at = line.indexOf(keySeparator);
        if (at < 0) {
            return null;
        }
        return new ProducerRecord<>(topic, line.substring(0, at), line.substring(at + keySeparator.length()));
    }

    /** Called from the producer's I/O thread as well as this one, hence the synchronized writer use. */
    private void fail(PrintWriter err, long lineNo, String why) {
        firstFailedLine.compareAndSet(0, lineNo);
        if (failed.incrementAndGet() <= FAILURES_PRINTED_MAX) {
            synchronized (err) {
                err.println("rlog produce: line " + lineNo + " failed: " + why);
                err.flush();
            }
        }
    }
}
