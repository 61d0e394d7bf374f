package dev.keys.redis;

import dev.keys.api.ApiKey;
import dev.keys.api.RateLimit;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Redis key names: one hash tag per bucket, shared where one script must take several, no id breaking out of it. */
class PlanTest {
    static final RateLimit OWN = new RateLimit("burst", 10, Duration.ofSeconds(1));
    static final RateLimit OWNER = new RateLimit("day", 1000, Duration.ofDays(1)).withScope(RateLimit.Scope.OWNER);
    static final RateLimit TENANT = new RateLimit("all", 9000, Duration.ofDays(1)).withScope(RateLimit.Scope.TENANT);

    static Plan plan(ApiKey key, RateLimit... limits) {
        return new Plan(key, List.of(limits), "keys", Duration.ofSeconds(10));
    }

    @Test
    void aKeysOwnBandwidthsLiveUnderItsOwnTagAndMoveUnderTheOwnersWhenItSharesOne() {
        ApiKey k = RedisTests.key("key_1", "t", "acme");
        assertArrayEquals(new String[] {"{keys:k:key_1}:k:key_1"}, plan(k, OWN).keys);
        assertArrayEquals(new String[] {"{keys:o:t:acme}:k:key_1", "{keys:o:t:acme}:o"}, plan(k, OWN, OWNER).keys);
        assertArrayEquals(new String[] {"{keys:t:t}:t", "{keys:t:t}:k:key_1"}, plan(k, TENANT, OWN).keys);
        assertEquals("burst/10/PT1S/0", new String(plan(k, OWN).lanes[0].field, StandardCharsets.UTF_8));
    }

    @Test
    void idsCannotEndATagOrRunIntoTheNextPart() {
        ApiKey k = RedisTests.key("k}{1", "a:b", "o w%ner\u00e9\ud83d\ude00");
        assertArrayEquals(new String[] {"{keys:o:a%3Ab:o%20w%25ner%C3%A9%F0%9F%98%80}:o"}, plan(k, OWNER).keys);
        assertArrayEquals(new String[] {"{keys:k:k%7D%7B1}:k:k%7D%7B1"}, plan(k, OWN).keys);
    }

    @Test
    void theScriptsNumbersCarryEveryValueBelowTenToTheFortyEighthExactly() {
        BigInteger top = BigInteger.TEN.pow(48).subtract(BigInteger.ONE);
        SplittableRandom rnd = new SplittableRandom(3);
        List<BigInteger> values = new ArrayList<>(List.of(BigInteger.ZERO, BigInteger.ONE, top,
                BigInteger.TEN.pow(24), BigInteger.TEN.pow(12).subtract(BigInteger.ONE), BigInteger.TWO.pow(63)));
        for (int i = 0; i < 1000; i++) values.add(new BigInteger(160, new Random(rnd.nextLong())).mod(top));
        for (BigInteger v : values) {
            byte[] b = Lane.bytes(v);
            assertEquals(Lane.WIDTH, b.length);
            assertEquals(v, Lane.number(b, 0), v.toString());
        }
        assertThrows(IllegalStateException.class, () -> Lane.bytes(top.add(BigInteger.ONE)));
        assertThrows(IllegalStateException.class, () -> Lane.bytes(BigInteger.ONE.negate()));
    }
}
