package io.rlog.chaos.checker;

/** FAIL breaks a promise of the mode under test; INFO is allowed by the mode or cannot be decided. */
public enum Severity {
    FAIL, INFO
}
