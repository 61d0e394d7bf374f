package dev.keys.core.limit;

import dev.keys.api.ApiKey;
import dev.keys.api.Digest;
import dev.keys.api.Quota;
import dev.keys.api.QuotaPeriod;
import dev.keys.api.RateLimit;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TiersTest {
    static final RateLimit FREE_BURST = new RateLimit("burst", 5, Duration.ofSeconds(1));
    static final RateLimit PRO_BURST = new RateLimit("burst", 100, Duration.ofSeconds(1));
    static final Quota FREE_QUOTA = new Quota(1000, QuotaPeriod.DAY);
    static final Tiers TIERS = Tiers.builder()
            .tier("free", List.of(FREE_BURST), Optional.of(FREE_QUOTA))
            .tier("pro", List.of(PRO_BURST), Optional.empty())
            .defaultTier("free")
            .build();

    static ApiKey.Builder key() {
        return ApiKey.builder().id("k").prefix("sk").start("abcd").digest(Digest.of(new byte[32]))
                .createdAt(Instant.EPOCH).updatedAt(Instant.EPOCH);
    }

    @Test
    void aKeyInheritsItsTierAndOverridesEachPartSeparately() {
        assertEquals(new EffectiveLimits(List.of(PRO_BURST), Optional.empty()), TIERS.effective(key().tier(Optional.of("pro")).build()));
        RateLimit own = new RateLimit("own", 1, Duration.ofMinutes(1));
        assertEquals(new EffectiveLimits(List.of(own), Optional.of(FREE_QUOTA)),
                TIERS.effective(key().tier(Optional.of("free")).ratelimits(List.of(own)).build()));
        Quota ownQuota = new Quota(5, QuotaPeriod.MONTH);
        assertEquals(new EffectiveLimits(List.of(PRO_BURST), Optional.of(ownQuota)),
                TIERS.effective(key().tier(Optional.of("pro")).quota(Optional.of(ownQuota)).build()));
    }

    @Test
    void keysWithoutAConfiguredTierGetTheDefaultTier() {
        assertEquals(new EffectiveLimits(List.of(FREE_BURST), Optional.of(FREE_QUOTA)), TIERS.effective(key().build()));
        assertEquals(new EffectiveLimits(List.of(FREE_BURST), Optional.of(FREE_QUOTA)), TIERS.effective(key().tier(Optional.of("gold")).build()));
        assertEquals(EffectiveLimits.NONE, Tiers.NONE.effective(key().tier(Optional.of("free")).build()));
    }

    @Test
    void configurationIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> Tiers.builder().tier("a", List.of(), Optional.empty()).tier("a", List.of(), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> Tiers.builder().defaultTier("x").build());
        assertThrows(IllegalArgumentException.class, () -> Tiers.builder().tier("a", List.of(FREE_BURST, PRO_BURST), Optional.empty()));
    }
}
