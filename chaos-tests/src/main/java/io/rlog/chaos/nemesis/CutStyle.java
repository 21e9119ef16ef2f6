package io.rlog.chaos.nemesis;

/** How a proxy enacts a cut link. */
public enum CutStyle {
    /**
     * Like a firewall that drops packets: bytes in the cut direction wait in the proxy (and, once its buffer is
     * full, in the kernel's socket buffers), connections stay open, and the waiting bytes flow on when healed,
     * as TCP retransmission would deliver them. The sender sees timeouts, not errors.
     */
    STALL,
    /**
     * Like a firewall that rejects: connections crossing the cut link are reset at once and new ones are reset
     * on accept, so the sender sees connection errors immediately.
     */
    RESET
}
