package dev.keys.core.lifecycle;

import dev.keys.api.ApiKey;
import dev.keys.api.AuditEvent;
import dev.keys.api.KeyStatus;
import dev.keys.api.StoreException;
import dev.keys.api.UsageCounters;
import dev.keys.core.limit.QuotaEnforcer;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/** A key's remaining uses set, raised or lowered (docs/contract.md §5, credits), for {@link KeyManager}. */
final class Credits {
    private Credits() {
    }

    static long set(KeyManager m, String id, long value, Actor actor) {
        if (value < 0) throw new IllegalArgumentException("value must not be negative");
        writeCredits(m, id, actor, "set to " + value, false, k -> OptionalLong.of(value));
        m.counters.set(id, QuotaEnforcer.USES, 0, 0);
        return value;
    }

    static long add(KeyManager m, String id, long delta, Actor actor) {
        if (delta >= 0) {
            ApiKey after = writeCredits(m, id, actor, "increment by " + delta, true, k -> {
                if (k.remaining().getAsLong() > Long.MAX_VALUE - delta) throw new IllegalArgumentException("value: too large");
                return OptionalLong.of(k.remaining().getAsLong() + delta);
            });
            return Math.max(0, after.remaining().getAsLong() - m.counters.get(id, QuotaEnforcer.USES, 0));
        }
        ApiKey k = m.get(id, actor).orElseThrow(() -> KeyManager.notFound(id));
        m.policy.checkChange(actor, k);
        checkCredits(k, true);
        long limit = k.remaining().getAsLong(), take = -delta;
        UsageCounters.Result r = m.counters.tryAddAll(id, List.of(new UsageCounters.Increment(QuotaEnforcer.USES, 0, take, limit)));
        long left = Math.max(0, limit - r.value(0));
        if (r instanceof UsageCounters.Refused) throw new IllegalStateException("cannot decrement by " + take + ": " + left + " remaining");
        Audits.record(m.audit, new AuditEvent(m.clock.instant(), "credits", actor.id(), k.tenant(), id, Optional.of("decrement by " + take),
                Map.of("remaining", List.of(Long.toString(left + take), Long.toString(left)))));
        return left;
    }

    /** Credits need a key that is not revoked, has no refill and, to increment or decrement, is limited in uses. */
    private static void checkCredits(ApiKey k, boolean limited) {
        if (k.status() == KeyStatus.REVOKED) throw new IllegalStateException("a revoked key cannot be changed");
        if (k.refill().isPresent()) throw new IllegalStateException("the key's uses refill per interval; change its refill instead");
        if (limited && k.remaining().isEmpty()) throw new IllegalStateException("the key is not limited in uses; set remaining first");
    }

    /** The optimistic write of a credit operation; contended harder than other writes, so it retries longer. */
    private static ApiKey writeCredits(KeyManager m, String id, Actor actor, String reason, boolean limited, Function<ApiKey, OptionalLong> remaining) {
        for (int attempt = 1; ; attempt++) {
            try {
                return m.write(id, "credits", actor, Optional.of(reason), current -> {
                    checkCredits(current, limited);
                    return current.toBuilder().remaining(remaining.apply(current)).build();
                }).after();
            } catch (StoreException.Conflict e) {
                if (attempt == 20) throw e;
            }
        }
    }
}
