package dev.keys.cli;

import java.io.PrintWriter;

/**
 * Progress on standard error: a bar redrawn in place on a terminal, a plain line per step otherwise (logs and CI,
 * where {@code System.console()} is null), so that standard output keeps only the result.
 */
final class Progress {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final boolean terminal;
    private final long total;
    private long done;
    private boolean drawn;

    Progress(PrintWriter err, boolean terminal, long total) {
        this.err = err;
        this.terminal = terminal;
        this.total = total;
    }

    void advance(long n) {
        done += n;
        int pct = total == 0 ? 100 : (int) (done * 100 / total);
        if (terminal) {
            int filled = (int) (total == 0 ? WIDTH : done * WIDTH / total);
            err.print("\r[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + done + "/" + total + " " + pct + "%");
            drawn = true;
        } else {
            err.println("sent " + done + " of " + total + " rows (" + pct + "%)");
        }
        err.flush();
    }

    void end() {
        if (drawn) err.println();
        drawn = false;
        err.flush();
    }
}
