package dev.keys.core.internal;

import dev.keys.api.JsonValue;

/**
 * JSON string escaping for the few places that write JSON without Jackson (problem answers on the filter's hot
 * path, OAuth error bodies, alert bodies). One copy, {@link JsonValue#appendString}, because a wrong escape is an injection. Internal: the package
 * is exported only to the keys modules that need it.
 */
public final class JsonText {
    private JsonText() {
    }

    /** Appends {@code s} as a quoted JSON string; control characters and U+2028/U+2029 are escaped. */
    public static StringBuilder appendString(StringBuilder sb, String s) {
        return JsonValue.appendString(sb, s);
    }
}
