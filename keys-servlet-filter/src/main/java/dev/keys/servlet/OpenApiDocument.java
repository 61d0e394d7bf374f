package dev.keys.servlet;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.json} of the admin API (docs/contract.md §5): the OpenAPI 3.1 document kept beside this class
 * as {@value #RESOURCE}, written by hand and served as it is. Tests check it with an OpenAPI parser, check every
 * answer of the HTTP tests against it, and check that its paths are the router's, so that the document and the
 * service cannot drift apart.
 */
public final class OpenApiDocument {
    /** The document in this module, relative to this class. */
    public static final String RESOURCE = "openapi.json";

    private OpenApiDocument() {
    }

    private static final class Holder {
        static final byte[] BYTES = read();
    }

    /** The document's bytes (UTF-8 JSON); a copy, since arrays are mutable. */
    public static byte[] bytes() {
        return Holder.BYTES.clone();
    }

    /** The bytes themselves, for the router, which only writes them. */
    static byte[] shared() {
        return Holder.BYTES;
    }

    private static byte[] read() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing from keys-servlet-filter");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
