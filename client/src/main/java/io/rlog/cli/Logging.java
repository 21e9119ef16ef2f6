package io.rlog.cli;

/**
 * Chooses the logback configuration before anything logs. Client commands must keep stdout for their
 * results, so kafka-clients logs only warnings, to stderr. `rlog server` logs at INFO to stdout (which
 * `rlog local` sends to server.log), unless the node module ships its own logback.xml.
 */
final class Logging {
    static final String PROPERTY = "logback.configurationFile";
    static final String CLI_CONFIG = "rlog-cli-logback.xml";
    static final String SERVER_CONFIG = "rlog-server-logback.xml";

    private Logging() {}

    static void configure(boolean server) {
        if (System.getProperty(PROPERTY) != null) {
            return; // the user chose
        }
        if (!server) {
            System.setProperty(PROPERTY, CLI_CONFIG);
        } else if (ClassLoader.getSystemResource("logback.xml") == null) {
            System.setProperty(PROPERTY, SERVER_CONFIG);
        }
    }
}
