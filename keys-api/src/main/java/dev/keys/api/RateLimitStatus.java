package dev.keys.api;

/**
 * The state of one bandwidth after a verification, enough to write the IETF RateLimit fields.
 *
 * @param name           the bandwidth's name, e.g. {@code burst}
 * @param limit          tokens per window (the policy's quota)
 * @param windowSeconds  the window in seconds (the policy's {@code w}), at least 1
 * @param remaining      tokens left now
 * @param resetSeconds   seconds until the bucket is full again (the field's {@code t}); for a denied request, until
 *                       enough tokens for it are back
 */
public record RateLimitStatus(String name, long limit, long windowSeconds, long remaining, long resetSeconds) {
}
