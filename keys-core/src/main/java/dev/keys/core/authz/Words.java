package dev.keys.core.authz;

import java.util.ArrayList;
import java.util.List;

/** Splitting of the small condition texts: values separated by commas and/or white space. */
final class Words {
    private Words() {
    }

    static List<String> list(String text, String what) {
        List<String> out = new ArrayList<>();
        for (String w : text.split("[\\s,]+")) if (!w.isEmpty()) out.add(w);
        if (out.isEmpty()) throw new IllegalArgumentException(what + ": expected at least one value");
        return out;
    }
}
