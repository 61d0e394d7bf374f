package dev.keys.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code keys}, the command-line tool of docs/contract.md §9: the admin API of a running service over HTTP, CSV
 * import, and a scanner for leaked keys. Every error is one line on standard error and exit code 1 (2 for bad
 * usage); nothing ever prints a stack trace or a whole key, except {@code create} and {@code rotate}, whose answer
 * is the new key.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, version = "keys 0.2.0",
        description = "Manage the API keys of a running service, import keys, and find leaked ones.",
        footer = {"", "Environment: KEYS_URL (the service, default http://localhost:8080), KEYS_ADMIN_KEY (the admin key)."},
        subcommands = {KeyCommands.Create.class, KeyCommands.ListKeys.class, KeyCommands.Show.class, KeyCommands.Revoke.class,
                KeyCommands.Rotate.class, KeyCommands.Usage.class, KeyCommands.Audit.class, ImportCommand.class,
                ScanCommand.class, KeysCli.Completion.class})
public final class KeysCli implements Callable<Integer> {
    final Map<String, String> env;
    final PrintWriter out, err;
    final boolean terminal;

    @Spec
    CommandSpec spec;

    KeysCli(Map<String, String> env, PrintWriter out, PrintWriter err, boolean terminal) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, System.getenv(), out, err, System.console() != null));
    }

    /** Runs one command line; the exit code of docs/contract.md §9. */
    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err, boolean terminal) {
        CommandLine cl = new CommandLine(new KeysCli(env, out, err, terminal));
        cl.setOut(out).setErr(err);
        cl.setParameterExceptionHandler((e, a) -> {
            err.println("keys: " + oneLine(e.getMessage()));
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return 2;
        });
        cl.setExecutionExceptionHandler((e, c, parsed) -> {
            if (e instanceof CliException ce) {
                err.println("keys: " + oneLine(ce.getMessage()));
                return ce.exitCode;
            }
            // Not expected: still one line, naming the kind of failure rather than dumping the stack.
            err.println("keys: unexpected " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + oneLine(e.getMessage())));
            return 1;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    static String oneLine(String s) {
        if (s == null) return "";
        String line = s.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
        return line.length() > 500 ? line.substring(0, 500) + "..." : line;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(out);
        return 2;
    }

    @Command(name = "completion", mixinStandardHelpOptions = true,
            description = {"Print a bash/zsh completion script.", "Use: source <(java -jar keys.jar completion)"})
    static final class Completion implements Callable<Integer> {
        @CommandLine.ParentCommand
        KeysCli cli;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            cli.out.print(AutoComplete.bash("keys", spec.root().commandLine()));
            return 0;
        }
    }
}
