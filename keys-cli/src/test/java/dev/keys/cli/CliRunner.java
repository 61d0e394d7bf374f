package dev.keys.cli;

import java.util.Map;

/** The CLI in process for tests of other packages (the end-to-end test against the example). */
public final class CliRunner {
    private CliRunner() {
    }

    public record Result(int code, String out, String err) {
    }

    public static Result run(Map<String, String> env, String... args) {
        Cli r = Cli.run(env, false, args);
        return new Result(r.code(), r.out(), r.err());
    }
}
