package io.rlog.chaos.nemesis;

/**
 * One scheduled fault: starts {@code startMs} after the workload starts and is healed {@code durationMs} later.
 * Printed and parsed as {@code kind:target/style@start+duration}, e.g. {@code partition:halves/stall@5000+4000}.
 */
public record Fault(FaultKind kind, Target target, CutStyle style, long startMs, long durationMs) {
    public Fault {
        if (!kind.targets().contains(target)) {
            throw new IllegalArgumentException(kind.id() + " cannot target " + target.id());
        }
        if (startMs < 0 || durationMs <= 0) {
            throw new IllegalArgumentException("start must be >= 0 and duration > 0: " + startMs + "+" + durationMs);
        }
    }

    public long endMs() {
        return startMs + durationMs;
    }

    public static Fault parse(String s) {
        String[] kindRest = s.trim().split(":", 2);
        String[] targetRest = kindRest[1].split("/", 2);
        String[] styleRest = targetRest[1].split("@", 2);
        String[] times = styleRest[1].split("\\+", 2);
        return new Fault(FaultKind.parse(kindRest[0]), Target.parse(targetRest[0]),
                CutStyle.valueOf(styleRest[0].toUpperCase(java.util.Locale.ROOT)), Long.parseLong(times[0]),
                Long.parseLong(times[1]));
    }

    @Override
    public String toString() {
        return kind.id() + ":" + target.id() + "/" + style.name().toLowerCase(java.util.Locale.ROOT) + "@" + startMs
                + "+" + durationMs;
    }
}
