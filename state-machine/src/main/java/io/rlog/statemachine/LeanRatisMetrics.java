package io.rlog.statemachine;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.ratis.metrics.LongCounter;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.Timekeeper;
import org.apache.ratis.util.TimeDuration;

/**
 * Ratis's own metrics, kept as counts and sums instead of in Ratis's default (Dropwizard) registries.
 *
 * <p>Ratis times its hot paths (every client request, appendEntries, log write and flush) with Dropwizard timers
 * whose exponentially decaying reservoirs insert every sample into a concurrent skip list and remove old ones. In a
 * perf profile of warm C2 nodes in a closed loop those updates were 3.3 % of the nodes' CPU, before the garbage the
 * skip list's nodes leave behind. rlog reads none of Ratis's metrics ({@code /metrics} is its own) and never
 * published them (no JMX, since Ratis's reporter cost a node with 1,000 groups minutes at shutdown). So the
 * service loader finds this class instead of Ratis's {@code ratis-metrics-default}, which is not on the class path:
 * a timer keeps a count and a total, a counter a sum, a gauge its supplier. Registries are shared by reference
 * count, as Ratis expects: one per {@link MetricRegistryInfo}, gone when the last user removes it.
 */
public final class LeanRatisMetrics extends MetricRegistries {
    private final Map<MetricRegistryInfo, Shared> registries = new ConcurrentHashMap<>();
    private final List<Consumer<RatisMetricRegistry>> onCreate = new CopyOnWriteArrayList<>();
    private final List<Consumer<RatisMetricRegistry>> onRemove = new CopyOnWriteArrayList<>();

    /** For {@link java.util.ServiceLoader}. */
    public LeanRatisMetrics() {}

    private record Shared(Registry registry, int users) {}

    @Override
    public RatisMetricRegistry create(MetricRegistryInfo info) {
        Shared shared = registries.compute(info, (k, old) -> old == null
                ? new Shared(new Registry(k), 1) : new Shared(old.registry(), old.users() + 1));
        if (shared.users() == 1) {
            onCreate.forEach(c -> c.accept(shared.registry()));
        }
        return shared.registry();
    }

    @Override
    public boolean remove(MetricRegistryInfo key) {
        Registry[] removed = new Registry[1];
        Shared left = registries.computeIfPresent(key, (k, old) -> {
            if (old.users() > 1) {
                return new Shared(old.registry(), old.users() - 1);
            }
            removed[0] = old.registry();
            return null;
        });
        if (removed[0] != null) {
            onRemove.forEach(c -> c.accept(removed[0]));
        }
        return left == null;
    }

    @Override
    public Optional<RatisMetricRegistry> get(MetricRegistryInfo info) {
        return Optional.ofNullable(registries.get(info)).map(Shared::registry);
    }

    @Override
    public Set<MetricRegistryInfo> getMetricRegistryInfos() {
        return Set.copyOf(registries.keySet());
    }

    @Override
    public Collection<RatisMetricRegistry> getMetricRegistries() {
        return registries.values().stream().<RatisMetricRegistry>map(Shared::registry).toList();
    }

    @Override
    public void clear() {
        registries.clear();
    }

    @Override
    public void addReporterRegistration(Consumer<RatisMetricRegistry> reporterRegistration,
                                        Consumer<RatisMetricRegistry> stopReporter) {
        onCreate.add(reporterRegistration);
        onRemove.add(stopReporter);
    }

    @Override
    public void removeReporterRegistration(Consumer<RatisMetricRegistry> reporterRegistration,
                                           Consumer<RatisMetricRegistry> stopReporter) {
        onCreate.remove(reporterRegistration);
        onRemove.remove(stopReporter);
    }

    @Override
    public void enableJmxReporter() {
        throw new UnsupportedOperationException("rlog keeps Ratis's metrics in memory only (LeanRatisMetrics)");
    }

    @Override
    public void enableConsoleReporter(TimeDuration consoleReportRate) {
        throw new UnsupportedOperationException("rlog keeps Ratis's metrics in memory only (LeanRatisMetrics)");
    }

    /** One registry: metrics by name, made on first use. */
    public static final class Registry implements RatisMetricRegistry {
        private final MetricRegistryInfo info;
        private final Map<String, Object> metrics = new ConcurrentHashMap<>();

        Registry(MetricRegistryInfo info) {
            this.info = info;
        }

        @Override
        public Timer timer(String name) {
            return (Timer) metrics.computeIfAbsent(name, n -> new Timer());
        }

        @Override
        public Counter counter(String name) {
            return (Counter) metrics.computeIfAbsent(name, n -> new Counter());
        }

        @Override
        public <T> void gauge(String name, Supplier<Supplier<T>> gaugeSupplier) {
            metrics.put(name, gaugeSupplier.get());
        }

        @Override
        public boolean remove(String name) {
            return metrics.remove(name) != null;
        }

        @Override
        public MetricRegistryInfo getMetricRegistryInfo() {
            return info;
        }

        /** The names of this registry's timers, counters and gauges. */
        public Set<String> names() {
            return Set.copyOf(metrics.keySet());
        }

        /** The timer, counter or gauge's supplier of that name, or null. */
        public Object metric(String name) {
            return metrics.get(name);
        }
    }

    /** How often something was timed, and for how long in all. */
    public static final class Timer implements Timekeeper {
        private final LongAdder count = new LongAdder();
        private final LongAdder totalNanos = new LongAdder();

        @Override
        public Context time() {
            long start = System.nanoTime();
            return () -> {
                long elapsed = System.nanoTime() - start;
                count.increment();
                totalNanos.add(elapsed);
                return elapsed;
            };
        }

        public long count() {
            return count.sum();
        }

        public long totalNanos() {
            return totalNanos.sum();
        }
    }

    /** A sum. */
    public static final class Counter implements LongCounter {
        private final LongAdder sum = new LongAdder();

        @Override
        public void inc(long n) {
            sum.add(n);
        }

        @Override
        public void dec(long n) {
            sum.add(-n);
        }

        @Override
        public long getCount() {
            return sum.sum();
        }
    }
}
