package dev.keys.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;

/** Runs the CLI in process, as a user would from a shell, keeping what it wrote. */
record Cli(int code, String out, String err) {
    static Cli run(Map<String, String> env, boolean terminal, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = KeysCli.run(args, env, new PrintWriter(out, true), new PrintWriter(err, true), terminal);
        return new Cli(code, out.toString(), err.toString());
    }

    static Map<String, String> env(FakeAdminApi api) {
        Map<String, String> env = new HashMap<>();
        env.put("KEYS_URL", api.url());
        env.put("KEYS_ADMIN_KEY", FakeAdminApi.ADMIN_KEY);
        return env;
    }
}
