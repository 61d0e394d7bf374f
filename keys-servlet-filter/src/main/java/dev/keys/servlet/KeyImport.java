package dev.keys.servlet;

import java.io.IOException;

/** {@code POST /keys/import}. */
final class KeyImport {
    private KeyImport() {
    }

    static void importKeys(AdminCall call) throws IOException {
        throw AdminRouter.Failure.noRoute();
    }
}
