package dev.keys.examples;

import dev.keys.jwt.servlet.AuthorizationServerMetadataServlet;
import dev.keys.redis.RedisLimits;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * What the example reads from its environment. Every setting has a default, so that the README's one command
 * starts it on a fresh machine.
 *
 * @param host        {@code HOST}, default {@code 127.0.0.1}: the interface to listen on ({@code 0.0.0.0} for all)
 * @param port        {@code PORT}, default 8080; 0 picks a free port (tests)
 * @param dataDir     {@code KEYS_DATA_DIR}, default {@code ./keys-data}: the H2 database and the root-secret file
 * @param jdbcUrl     {@code KEYS_JDBC_URL}: a PostgreSQL (or any H2) URL instead of the H2 file
 * @param jdbcUser    {@code KEYS_JDBC_USER}, optional (the URL may hold the user)
 * @param jdbcPassword {@code KEYS_JDBC_PASSWORD}, optional
 * @param adminKey    {@code KEYS_ADMIN_KEY}: a key in the key format, imported with {@code keys:admin} at start
 * @param rootSecret  {@code KEYS_ROOT_SECRET}: base64 or hex, at least 32 bytes; else a file in the data directory
 * @param staleBound  {@code KEYS_STALE_BOUND}, an ISO-8601 duration, default {@code PT0S} (fail closed): how long
 *                    cached keys (and OAuth clients' statuses) keep serving once the database is seen failing
 * @param issuer      {@code KEYS_ISSUER}: the http(s) URL clients reach the service at, the {@code iss} of its
 *                    tokens; default {@code http://<host>:<port>} ({@code localhost} for a loopback or wildcard host)
 * @param opaque      {@code KEYS_OPAQUE}, {@code true} or {@code false} (default): unknown, expired and revoked keys
 *                    answer alike, on the API and on the admin API
 * @param redisUrl    {@code KEYS_REDIS_URL}, e.g. {@code redis://127.0.0.1:6379}: rate limits shared by every instance
 *                    on that Redis (docs/contract.md §7); without it they stay in each process
 * @param redisPrefix {@code KEYS_REDIS_PREFIX}, default {@code keys}: the start of every Redis key, for several
 *                    services (or tests) on one Redis
 * @param redisTimeout {@code KEYS_REDIS_TIMEOUT}, an ISO-8601 duration, default {@code PT0.005S}: how long a request
 *                    waits for Redis before its limits fall back to in-process buckets
 * @param redisMode   {@code KEYS_REDIS_MODE}, {@code EXACT} (default: one round trip per limited request) or
 *                    {@code LOCAL_FIRST} (tokens leased in batches), any letter case
 * @param alerts      the early alerts to a webhook, on with {@code KEYS_ALERT_WEBHOOK_URL} ({@link AlertSettings})
 */
record Settings(String host, int port, Path dataDir, Optional<String> jdbcUrl, Optional<String> jdbcUser, Optional<String> jdbcPassword,
                Optional<String> adminKey, Optional<String> rootSecret, Duration staleBound, Optional<String> issuer, boolean opaque,
                Optional<String> redisUrl, String redisPrefix, Duration redisTimeout, RedisLimits.Mode redisMode,
                Optional<AlertSettings> alerts, boolean benchFloor) {
    static final String DEFAULT_HOST = "127.0.0.1";
    /** Base name of the H2 files in the data directory. */
    static final String H2_NAME = "keys";

    static Settings fromEnvironment(Map<String, String> env) {
        int port;
        try {
            port = Integer.parseInt(env.getOrDefault("PORT", "8080").trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("PORT must be a number from 0 to 65535");
        }
        if (port < 0 || port > 65535) throw new IllegalArgumentException("PORT must be a number from 0 to 65535");
        Optional<String> issuer = nonBlank(env, "KEYS_ISSUER");
        try {
            issuer.ifPresent(AuthorizationServerMetadataServlet::builder);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("KEYS_ISSUER: " + e.getMessage());
        }
        return new Settings(nonBlank(env, "HOST").orElse(DEFAULT_HOST), port, Path.of(env.getOrDefault("KEYS_DATA_DIR", "keys-data")).toAbsolutePath().normalize(),
                nonBlank(env, "KEYS_JDBC_URL"), nonBlank(env, "KEYS_JDBC_USER"), nonBlank(env, "KEYS_JDBC_PASSWORD"),
                nonBlank(env, "KEYS_ADMIN_KEY"), nonBlank(env, "KEYS_ROOT_SECRET"), staleBound(env), issuer, opaque(env),
                nonBlank(env, "KEYS_REDIS_URL"), redisPrefix(env), redisTimeout(env), redisMode(env), AlertSettings.fromEnvironment(env),
                "1".equals(env.get(FloorFilter.ENABLED)));
    }

    private static RedisLimits.Mode redisMode(Map<String, String> env) {
        String m = nonBlank(env, "KEYS_REDIS_MODE").orElse("EXACT");
        for (RedisLimits.Mode mode : RedisLimits.Mode.values()) if (mode.name().equalsIgnoreCase(m)) return mode;
        throw new IllegalArgumentException("KEYS_REDIS_MODE must be EXACT or LOCAL_FIRST");
    }

    private static boolean opaque(Map<String, String> env) {
        String v = nonBlank(env, "KEYS_OPAQUE").orElse("false");
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) return Boolean.parseBoolean(v);
        throw new IllegalArgumentException("KEYS_OPAQUE must be true or false");
    }

    private static Duration staleBound(Map<String, String> env) {
        return duration(env, "KEYS_STALE_BOUND", Duration.ZERO).filter(d -> !d.isNegative()).orElseThrow(() ->
                new IllegalArgumentException("KEYS_STALE_BOUND must be an ISO-8601 duration such as PT30S, zero or more"));
    }

    private static Duration redisTimeout(Map<String, String> env) {
        return duration(env, "KEYS_REDIS_TIMEOUT", Duration.ofMillis(5)).filter(d -> !d.isNegative() && !d.isZero()).orElseThrow(() ->
                new IllegalArgumentException("KEYS_REDIS_TIMEOUT must be an ISO-8601 duration such as PT0.05S, more than zero"));
    }

    /** The variable as a duration, {@code otherwise} when unset, empty when it does not parse. */
    private static Optional<Duration> duration(Map<String, String> env, String name, Duration otherwise) {
        Optional<String> text = nonBlank(env, name);
        if (text.isEmpty()) return Optional.of(otherwise);
        try {
            return Optional.of(Duration.parse(text.get()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static String redisPrefix(Map<String, String> env) {
        String p = nonBlank(env, "KEYS_REDIS_PREFIX").orElse("keys");
        if (!p.matches("[A-Za-z0-9_.-]{1,64}")) throw new IllegalArgumentException("KEYS_REDIS_PREFIX must be 1 to 64 of [A-Za-z0-9_.-]");
        return p;
    }

    /** Where rate limits live, for the start-up message (never with a password). */
    String limitsDescription() {
        return redisUrl.map(u -> "shared in Redis at " + u.replaceAll("//[^@/]*@", "//***@") + " (prefix " + redisPrefix
                        + (redisMode == RedisLimits.Mode.EXACT ? "" : ", " + redisMode) + ")")
                .orElse("in this process (set KEYS_REDIS_URL to share them across instances)");
    }

    private static Optional<String> nonBlank(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::trim).filter(s -> !s.isEmpty());
    }

    /** Where the database is, for the start-up message (never with a password). */
    String databaseDescription() {
        return jdbcUrl.map(u -> "KEYS_JDBC_URL (" + u.replaceAll("(?i)(password=)[^&;]*", "$1***") + ")")
                .orElse("H2 file " + h2File() + " (set KEYS_JDBC_URL for PostgreSQL)");
    }

    /** The host in URLs the service prints and derives: {@code localhost} when it listens on loopback or everywhere. */
    String urlHost() {
        return switch (host) {
            case "127.0.0.1", "::1", "[::1]", "localhost", "0.0.0.0", "::", "[::]" -> "localhost";
            default -> host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        };
    }

    /** {@code KEYS_ISSUER}, or the URL of this host and the port the service listens on. */
    String issuerFor(int listeningPort) {
        return issuer.orElse("http://" + urlHost() + ":" + listeningPort);
    }

    Path h2File() {
        return dataDir.resolve(H2_NAME);
    }
}
