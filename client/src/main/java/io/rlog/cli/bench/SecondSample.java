package io.rlog.cli.bench;

/**
 * The figures of one interval (normally one second) of a case.
 *
 * @param atS       end of the interval, seconds after the case's first send
 * @param lengthS   its length (the last interval of a case is shorter)
 * @param acked     acknowledgements that arrived in it
 * @param failed    send failures reported in it
 * @param measured  whether it counts in the summary (it starts after the warm-up)
 */
public record SecondSample(double atS, double lengthS, long acked, long failed, double sendP50Ms, double sendP99Ms,
                           double sendMaxMs, long e2eCount, double e2eP50Ms, double e2eP99Ms, boolean measured) {
    public double recordsPerS() {
        return lengthS <= 0 ? 0 : acked / lengthS;
    }
}
