package dev.keys.jwt;

import dev.keys.api.Verification;

import java.util.function.Function;

/**
 * What one step of checking a new token found: the value the next step works on, or the denial that ends the
 * checks. Steps chain with {@link #then} and the chain ends in {@link #fold}, so that no step hands back a bare
 * {@code Object} and no caller casts. Only a token that is not cached yet goes through here.
 */
sealed interface Checked<T> permits Checked.Passed, Checked.Refused {
    static <T> Checked<T> passed(T value) {
        return new Passed<>(value);
    }

    static <T> Checked<T> refused(Verification.Denied denial) {
        return new Refused<>(denial);
    }

    /** The next step applied to the value, or this denial unchanged. */
    <U> Checked<U> then(Function<? super T, Checked<U>> next);

    /** The value through {@code passed}, or the denial through {@code refused}. */
    <R> R fold(Function<? super T, ? extends R> passed, Function<? super Verification.Denied, ? extends R> refused);

    record Passed<T>(T value) implements Checked<T> {
        @Override
        public <U> Checked<U> then(Function<? super T, Checked<U>> next) {
            return next.apply(value);
        }

        @Override
        public <R> R fold(Function<? super T, ? extends R> passed, Function<? super Verification.Denied, ? extends R> refused) {
            return passed.apply(value);
        }
    }

    record Refused<T>(Verification.Denied denial) implements Checked<T> {
        @Override
        public <U> Checked<U> then(Function<? super T, Checked<U>> next) {
            return new Refused<>(denial);
        }

        @Override
        public <R> R fold(Function<? super T, ? extends R> passed, Function<? super Verification.Denied, ? extends R> refused) {
            return refused.apply(denial);
        }
    }
}
