package dev.keys.api;

import java.util.Locale;

/** Where a key may be used. On the wire it is written in lower case; it is read in any case. */
public enum Environment {
    LIVE, TEST;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static Environment parse(String text) {
        for (Environment e : values()) {
            if (e.name().equalsIgnoreCase(text)) return e;
        }
        throw new IllegalArgumentException("environment must be live or test");
    }
}
