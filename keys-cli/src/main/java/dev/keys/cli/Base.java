package dev.keys.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * What every command shares: where the service is, the admin key, and {@code --json}. The admin key is read from
 * {@code KEYS_ADMIN_KEY} or from a file, never from a flag's value, so that it stays out of shell history and
 * process lists (docs/contract.md §9).
 */
abstract class Base implements Callable<Integer> {
    static final String DEFAULT_URL = "http://localhost:8080";

    @ParentCommand
    KeysCli cli;

    @Option(names = "--url", paramLabel = "URL", description = "The service, or its admin base (default: KEYS_URL, else " + DEFAULT_URL + ").")
    String url;

    @Option(names = "--key-file", paramLabel = "FILE", description = "A file holding the admin key (default: KEYS_ADMIN_KEY).")
    Path keyFile;

    @Option(names = "--json", description = "Machine-readable output.")
    boolean json;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    PrintWriter out() {
        return cli.out;
    }

    PrintWriter err() {
        return cli.err;
    }

    AdminClient admin() {
        String u = url != null ? url : cli.env.getOrDefault("KEYS_URL", DEFAULT_URL);
        return new AdminClient(AdminClient.base(u), adminKey());
    }

    private String adminKey() {
        String key;
        if (keyFile != null) {
            try {
                key = Files.readString(keyFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw CliException.usage("--key-file: cannot read " + keyFile);
            }
            if (key.isEmpty()) throw CliException.usage("--key-file: " + keyFile + " is empty");
        } else {
            key = cli.env.getOrDefault("KEYS_ADMIN_KEY", "").strip();
            if (key.isEmpty()) throw CliException.usage("no admin key: set KEYS_ADMIN_KEY or give --key-file FILE");
        }
        if (key.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) throw CliException.usage("the admin key holds characters no key has");
        return key;
    }

    void printJson(Object node) {
        try {
            out().println(AdminClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw CliException.failure("cannot write JSON: " + e.getOriginalMessage());
        }
    }
}
