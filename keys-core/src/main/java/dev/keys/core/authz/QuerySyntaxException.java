package dev.keys.core.authz;

/**
 * A permission query (or a route line holding one) that does not parse. The message names the 0-based position
 * and the expected token, e.g. {@code expected permission or '(' at position 17, found end of query}.
 */
public final class QuerySyntaxException extends IllegalArgumentException {
    private final int position;

    public QuerySyntaxException(String message, int position) {
        super(message);
        this.position = position;
    }

    /** The 0-based character position of the error in the text that was parsed. */
    public int position() {
        return position;
    }
}
