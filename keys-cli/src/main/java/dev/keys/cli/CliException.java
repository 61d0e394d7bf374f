package dev.keys.cli;

/**
 * A failure to report as one line, with the exit code of docs/contract.md §9: 1 for a failure, 2 for bad usage.
 * Its message never holds a key: callers build it from what they know is safe to print.
 */
final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int exitCode;

    private CliException(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    static CliException failure(String message) {
        return new CliException(message, 1);
    }

    static CliException usage(String message) {
        return new CliException(message, 2);
    }
}
