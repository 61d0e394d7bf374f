package dev.keys.spring;

import dev.keys.redis.RedisLimits;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;

/**
 * {@code keys.redis.*}: rate limits shared by every instance through Redis (docs/contract.md §7). Bound only when
 * keys-redis is on the class path; {@code keys.redis.url} set without it fails the start.
 */
@ConfigurationProperties(prefix = "keys.redis")
public class KeysRedisProperties {
    /** Keep rate-limit state in Redis (redis://host:6379), so that all instances together admit what one would. Empty: in process. */
    private String url = "";

    /** EXACT: one atomic Redis round trip per limited request; LOCAL_FIRST: tokens leased to each instance in batches. */
    private RedisLimits.Mode mode = RedisLimits.Mode.EXACT;

    /** When Redis fails: FALL_BACK to in-process buckets, or answer UNAVAILABLE (503 STORE_UNAVAILABLE). */
    private RedisLimits.FaultPolicy onFailure = RedisLimits.FaultPolicy.FALL_BACK;

    /** How long a Redis call may take before the fault policy applies. */
    private Duration timeout = Duration.ofMillis(5);

    /** The prefix of every Redis key keys writes (instances that share limits share it). */
    private String keyPrefix = "keys";

    public String getUrl() { return url; }
    public void setUrl(String url) { this.url = url == null ? "" : url.strip(); }
    public RedisLimits.Mode getMode() { return mode; }
    public void setMode(RedisLimits.Mode mode) { this.mode = mode; }
    public RedisLimits.FaultPolicy getOnFailure() { return onFailure; }
    public void setOnFailure(RedisLimits.FaultPolicy onFailure) { this.onFailure = onFailure; }
    public Duration getTimeout() { return timeout; }
    public void setTimeout(Duration timeout) { this.timeout = timeout; }
    public String getKeyPrefix() { return keyPrefix; }
    public void setKeyPrefix(String keyPrefix) { this.keyPrefix = keyPrefix; }
}
