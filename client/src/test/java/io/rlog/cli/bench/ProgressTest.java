package io.rlog.cli.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressTest {
    private static SecondSample at(double s) {
        return new SecondSample(s, 1, 5_000, 0, 4.0, 9.5, 12.0, 0, Double.NaN, Double.NaN, true);
    }

    @Test
    void warmUpTicksCarryTheirOwnLabelNotThePreviousCase() {
        StringWriter out = new StringWriter();
        Progress p = new Progress(new PrintWriter(out), false);
        p.caseStarted(8, 9, "kafka", Matrix.quick(12, 2).get(0));
        p.tick(at(5));
        p.phase("warm-up rlog  round 1, closed loop", 10);
        p.tick(at(5));
        String[] lines = out.toString().split("\n");
        assertTrue(lines[1].startsWith("[8/9] kafka "), lines[1]);
        assertTrue(lines[2].startsWith("warm-up rlog  round 1, closed loop    5/10s      5,000 rec/s  p99 9.5 ms"),
                lines[2]);
    }
}
