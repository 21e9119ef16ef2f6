package io.rlog.chaos.history;

/** One record a consumer returned: the value the workload wrote, at a partition and offset. */
public record Record(int partition, long offset, long value) {}
