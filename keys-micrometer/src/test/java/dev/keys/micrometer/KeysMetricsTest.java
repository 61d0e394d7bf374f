package dev.keys.micrometer;

import dev.keys.core.ops.ObservingVerifier;

import dev.keys.api.ApiKey;
import dev.keys.api.Digest;
import dev.keys.api.KeyChange;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStore;
import dev.keys.api.Outcome;
import dev.keys.api.Page;
import dev.keys.api.StoreException;
import dev.keys.api.UsageSink;
import dev.keys.core.Keys;
import dev.keys.test.ManualClock;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.core.verify.CredentialVerifier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class KeysMetricsTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-05-01T10:00:00Z"));
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final FlakyStore store = new FlakyStore();
    Keys keys;

    @AfterEach
    void close() {
        if (keys != null) keys.close();
    }

    double count(String outcome, String tenant) {
        Counter c = registry.find("keys.verifications").tag("outcome", outcome).tag("tenant", tenant).counter();
        return c == null ? 0 : c.count();
    }

    IssuedKey key(String tenant) {
        return keys.manager().create(NewKey.builder("sk_live").tenant(tenant).build(), KeyManager.SYSTEM);
    }

    @Test
    void theUsageSinkCountsByOutcomeAndBoundedTenant() {
        KeysMetrics metrics = KeysMetrics.builder().maxTenants(2).build();
        metrics.bindTo(registry);
        keys = Keys.builder().store(store).clock(clock).verifier(v -> v.syncInterval(Duration.ZERO).usageSink(metrics.usageSink(UsageSink.NONE))).build();
        metrics.watch(keys.verifier());
        IssuedKey a = key("t1"), b = key("t2"), c = key("t3");
        keys.verifier().verify(a.plaintext());
        keys.verifier().verify(a.plaintext());
        keys.verifier().verify(b.plaintext());
        keys.verifier().verify(c.plaintext());
        keys.manager().revoke(a.key().id(), KeyManager.SYSTEM, Optional.empty());
        keys.verifier().verify(a.plaintext());
        assertEquals(2, count("valid", "t1"));
        assertEquals(1, count("revoked", "t1"));
        assertEquals(1, count("valid", "t2"));
        assertEquals(1, count("valid", "other"), "the third tenant is not a tag value");
        assertNull(registry.find("keys.verifications").tag("tenant", "t3").counter());
        assertTrue(registry.find("keys.verifications").tagKeys("key").counters().isEmpty(), "no per-key tags by default");
        assertEquals(3, registry.get("keys.cache.size").gauge().value());
        assertTrue(registry.get("keys.cache.hit.ratio").gauge().value() > 0);
        assertEquals(0, registry.get("keys.store.down").gauge().value());
    }

    @Test
    void theObservingVerifierTimesEveryOutcomeAndCountsStoreErrors() {
        KeysMetrics metrics = KeysMetrics.builder().build();
        metrics.bindTo(registry);
        keys = Keys.builder().store(store).clock(clock).verifier(v -> v.syncInterval(Duration.ZERO)).build();
        metrics.watch(keys.verifier());
        ObservingVerifier verifier = metrics.observe(keys.verifier());
        IssuedKey a = key("t1");
        assertTrue(verifier.verify(a.plaintext()).isValid());
        assertEquals(Outcome.MALFORMED, verifier.verify("nope").outcome());
        store.down = true;
        assertEquals(Outcome.STORE_UNAVAILABLE, verifier.verify(new KeyFormat().generate("sk_live")).outcome());
        assertEquals(1, count("valid", "t1"));
        assertEquals(1, count("malformed", KeysMetrics.NONE));
        assertEquals(1, count("store_unavailable", KeysMetrics.NONE));
        assertEquals(1, registry.get("keys.store.errors").counter().count());
        assertEquals(1, registry.get("keys.store.down").gauge().value());
        assertEquals(1, registry.get("keys.verification.duration").tag("outcome", "valid").timer().count());
        assertEquals(1, registry.get("keys.verification.duration").tag("outcome", "malformed").timer().count());
        assertTrue(registry.get("keys.verification.duration").tag("outcome", "valid").timer().totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) > 0);
    }

    @Test
    void anObservedCompositionCountsEveryCredentialKind() {
        KeysMetrics metrics = KeysMetrics.builder().build();
        metrics.bindTo(registry);
        keys = Keys.builder().store(store).clock(clock).verifier(v -> v.syncInterval(Duration.ZERO)).build();
        CredentialVerifier tokens = new CredentialVerifier() {
            @Override
            public dev.keys.api.Verification verify(CharSequence c, dev.keys.api.RequestContext ctx, dev.keys.core.authz.Requirement r) {
                return new dev.keys.api.Verification.Denied(Outcome.EXPIRED, "token expired");
            }

            @Override
            public boolean accepts(CharSequence c) {
                return c.toString().startsWith("token.");
            }

            @Override
            public String authType(CharSequence c) {
                return "TOKEN";
            }
        };
        ObservingVerifier both = metrics.observe(CredentialVerifier.firstAccepting(List.of(tokens, keys.verifier())));
        assertTrue(both.verify(key("t1").plaintext()).isValid());
        assertEquals(Outcome.EXPIRED, both.verify("token.x").outcome());
        assertEquals("TOKEN", both.authType("token.x"), "the decorator answers for the verifier it wraps");
        assertEquals(CredentialVerifier.API_KEY, both.authType("sk_live_x"));
        assertEquals(1, count("valid", "t1"));
        assertEquals(1, count("expired", KeysMetrics.NONE));
        assertEquals(1, registry.get("keys.verification.duration").tag("outcome", "expired").timer().count());
    }

    @Test
    void perKeyTagsOnlyWhenAskedAndBounded() {
        KeysMetrics metrics = KeysMetrics.builder().perKeyTags(1).build();
        metrics.bindTo(registry);
        keys = Keys.builder().store(store).clock(clock).verifier(v -> v.syncInterval(Duration.ZERO).usageSink(metrics.usageSink(UsageSink.NONE))).build();
        IssuedKey a = key("t1"), b = key("t1");
        keys.verifier().verify(a.plaintext());
        keys.verifier().verify(b.plaintext());
        assertEquals(1, registry.get("keys.verifications").tag("key", a.key().id()).tag("outcome", "valid").counter().count());
        assertEquals(1, registry.get("keys.verifications").tag("key", KeysMetrics.OTHER).tag("outcome", "valid").counter().count());
    }

    @Test
    void eventsBeforeBindingAreIgnored() {
        KeysMetrics metrics = KeysMetrics.builder().build();
        UsageSink sink = metrics.usageSink(UsageSink.NONE);
        sink.record(new dev.keys.api.UsageEvent("key_a", "t1", Outcome.VALID, 0));
        metrics.bindTo(registry);
        assertEquals(0, count("valid", "t1"));
    }

    /** An in-memory store that can be made to fail. */
    static final class FlakyStore implements KeyStore {
        final InMemoryKeyStore delegate = new InMemoryKeyStore();
        volatile boolean down;

        private void check() {
            if (down) throw new StoreException.Unavailable("test: store down", null);
        }

        @Override public Optional<ApiKey> findByDigest(Digest d) { check(); return delegate.findByDigest(d); }
        @Override public Optional<ApiKey> findById(String id) { check(); return delegate.findById(id); }
        @Override public ApiKey create(ApiKey k) { check(); return delegate.create(k); }
        @Override public ApiKey update(ApiKey k) { check(); return delegate.update(k); }
        @Override public Page<ApiKey> list(KeyQuery q) { check(); return delegate.list(q); }
        @Override public List<KeyChange> changesSince(long after, int limit) { check(); return delegate.changesSince(after, limit); }
        @Override public long lastSequence() { check(); return delegate.lastSequence(); }
    }
}
