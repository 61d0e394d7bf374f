package dev.keys.api;

/** What a store reports instead of an answer. Messages never hold a key or a digest. */
public sealed class StoreException extends RuntimeException
        permits StoreException.Unavailable, StoreException.Conflict, StoreException.Duplicate, StoreException.NotFound {

    protected StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The store could not answer (connection refused, timeout, pool exhausted). */
    public static final class Unavailable extends StoreException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** An optimistic update lost against a concurrent one. */
    public static final class Conflict extends StoreException {
        public Conflict(String message) {
            super(message, null);
        }
    }

    /** A create collided with an existing id or digest. */
    public static final class Duplicate extends StoreException {
        public Duplicate(String message) {
            super(message, null);
        }
    }

    /** No key with that id. */
    public static final class NotFound extends StoreException {
        public NotFound(String message) {
            super(message, null);
        }
    }
}
