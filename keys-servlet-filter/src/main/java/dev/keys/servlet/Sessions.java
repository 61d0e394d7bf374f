package dev.keys.servlet;

import dev.keys.api.Clock;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's sign-in sessions, in this process's memory: a session id is 256 random bits, given to the browser
 * once (as a cookie) and kept here only as its SHA-256, so that a heap dump or a log of this map lets no one act as
 * a signed-in user. A session holds the id of the key that signed in (never the key), a synchronizer CSRF token, and
 * its times: it ends after {@code idle} without a request or {@code lifetime} after sign-in, whichever comes first.
 * Bounded: beyond {@code max} sessions the one idle longest is dropped. Thread-safe.
 */
final class Sessions {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    /** One session; {@code lastSeen} moves on with each request. */
    static final class Session {
        final String keyId, csrf;
        final long createdNanos;
        volatile long lastSeenNanos;

        Session(String keyId, String csrf, long now) {
            this.keyId = keyId;
            this.csrf = csrf;
            this.createdNanos = now;
            this.lastSeenNanos = now;
        }

        /** Whether {@code token} is this session's CSRF token, compared in constant time. */
        boolean csrf(String token) {
            return token != null && MessageDigest.isEqual(csrf.getBytes(StandardCharsets.US_ASCII), token.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** A session just made, with the id the browser gets (the one time it exists outside this call). */
    record Created(String id, Session session) {
    }

    private final Map<String, Session> byDigest = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;
    private final long idleNanos, lifetimeNanos;
    private final int max;

    Sessions(Clock clock, long idleNanos, long lifetimeNanos, int max) {
        this.clock = clock;
        this.idleNanos = idleNanos;
        this.lifetimeNanos = lifetimeNanos;
        this.max = max;
    }

    Created create(String keyId) {
        long now = clock.nanos();
        if (byDigest.size() >= max) {
            byDigest.values().removeIf(s -> expired(s, now));
            while (byDigest.size() >= max) {
                byDigest.entrySet().stream().min(Comparator.comparingLong(e -> e.getValue().lastSeenNanos))
                        .ifPresent(e -> byDigest.remove(e.getKey(), e.getValue()));
            }
        }
        String id = token();
        Session s = new Session(keyId, token(), now);
        byDigest.put(digest(id), s);
        return new Created(id, s);
    }

    /** The live session of {@code id}, its idle time restarted; an expired one is dropped. */
    Optional<Session> find(String id) {
        String d = digest(id);
        Session s = byDigest.get(d);
        if (s == null) return Optional.empty();
        long now = clock.nanos();
        if (expired(s, now)) {
            byDigest.remove(d, s);
            return Optional.empty();
        }
        s.lastSeenNanos = now;
        return Optional.of(s);
    }

    void delete(String id) {
        byDigest.remove(digest(id));
    }

    /** When {@code s} ends at the latest, in epoch nanoseconds, if no request comes before. */
    long endsNanos(Session s) {
        return Math.min(s.lastSeenNanos + idleNanos, s.createdNanos + lifetimeNanos);
    }

    long lifetimeSeconds() {
        return lifetimeNanos / 1_000_000_000L;
    }

    long idleSeconds() {
        return idleNanos / 1_000_000_000L;
    }

    int size() {
        return byDigest.size();
    }

    private boolean expired(Session s, long now) {
        return now - s.lastSeenNanos >= idleNanos || now - s.createdNanos >= lifetimeNanos;
    }

    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return B64.encodeToString(b);
    }

    static String digest(String id) {
        try {
            return B64.encodeToString(MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
