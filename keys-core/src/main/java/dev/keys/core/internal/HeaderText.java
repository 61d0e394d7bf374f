package dev.keys.core.internal;

/**
 * Quoting for values of HTTP fields: the realm of {@code WWW-Authenticate} (an RFC 9110 quoted-string) and the names
 * in the RateLimit fields (an RFC 8941 sf-string). One copy for both, because a wrong escape lets a configured name
 * break the field open. Internal: the package is exported only to the keys modules that need it.
 */
public final class HeaderText {
    private HeaderText() {
    }

    /** Appends {@code s} in double quotes, {@code "} and {@code \} escaped, anything outside printable ASCII as {@code ?}. */
    public static StringBuilder appendQuoted(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\');
            sb.append(c < 0x20 || c > 0x7e ? '?' : c);
        }
        return sb.append('"');
    }
}
