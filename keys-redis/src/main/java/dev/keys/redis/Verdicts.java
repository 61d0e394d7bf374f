package dev.keys.redis;

import dev.keys.api.RateLimitStatus;
import dev.keys.core.limit.LimitResult;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** The results of the Redis limiters: the same answers, statuses and details as the in-process limiter's. */
final class Verdicts {
    private Verdicts() {
    }

    /** Limits that could not be checked, under {@code FaultPolicy.UNAVAILABLE}: the verifier answers 503. */
    static final LimitResult UNAVAILABLE = new LimitResult() {
        @Override
        public boolean admitted() {
            return false;
        }

        @Override
        public boolean unavailable() {
            return true;
        }

        @Override
        public String detail() {
            return "rate limits are unavailable";
        }

        @Override
        public List<RateLimitStatus> statuses() {
            return List.of();
        }

        @Override
        public long retryAfterSeconds() {
            return 1;
        }

        @Override
        public String toString() {
            return "LimitResult[unavailable]";
        }
    };

    static List<RateLimitStatus> statuses(Lane[] lanes, BigInteger[] debts) {
        List<RateLimitStatus> out = new ArrayList<>(lanes.length);
        for (int i = 0; i < lanes.length; i++) out.add(lanes[i].status(debts[i]));
        return List.copyOf(out);
    }

    /** Admitted; {@code debts} are what each lane owes after the request. */
    record Taken(Lane[] lanes, BigInteger[] debts) implements LimitResult {
        @Override
        public boolean admitted() {
            return true;
        }

        @Override
        public List<RateLimitStatus> statuses() {
            return Verdicts.statuses(lanes, debts);
        }

        @Override
        public long retryAfterSeconds() {
            return 0;
        }
    }

    /** Refused; {@code debts} are what each lane owed, untouched. */
    record Refused(Lane[] lanes, BigInteger[] debts, long cost) implements LimitResult {
        @Override
        public boolean admitted() {
            return false;
        }

        @Override
        public List<RateLimitStatus> statuses() {
            List<RateLimitStatus> out = new ArrayList<>(lanes.length);
            for (int i = 0; i < lanes.length; i++) out.add(lanes[i].refusal(debts[i], cost));
            return List.copyOf(out);
        }

        @Override
        public long retryAfterSeconds() {
            long max = 1;
            for (int i = 0; i < lanes.length; i++) max = Math.max(max, lanes[i].secondsUntil(debts[i], cost));
            return max;
        }

        /** Names the lane that keeps the request waiting longest (the first of equals), as the in-process limiter does. */
        @Override
        public String detail() {
            int worst = -1;
            long max = -1;
            for (int i = 0; i < lanes.length; i++) {
                if (!lanes[i].fits(debts[i], cost)) {
                    long s = lanes[i].secondsUntil(debts[i], cost);
                    if (s > max) {
                        max = s;
                        worst = i;
                    }
                }
            }
            return "rate limit '" + lanes[worst].limit.name() + "' exceeded";
        }
    }
}
