package dev.keys.servlet;

/** JSON string escaping for the few answers written without Jackson (problems on the filter's path). */
final class Json {
    private Json() {
    }

    static void string(StringBuilder sb, String s) {
        dev.keys.core.JsonText.appendString(sb, s);
    }
}
