package dev.keys.spring;

import dev.keys.core.Keys;
import dev.keys.micrometer.KeysMetrics;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.Optional;

/**
 * Actuator and Micrometer, each when present: the {@code keys} health indicator, and {@link KeysMetrics} (a
 * {@code MeterBinder}, which Spring Boot binds to its registry, and the filters' verification listener).
 */
@AutoConfiguration(after = KeysAutoConfiguration.class)
@ConditionalOnBean(Keys.class)
class KeysObservabilityAutoConfiguration {

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
    @ConditionalOnEnabledHealthIndicator("keys")
    static class HealthConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "keysHealthIndicator")
        KeysHealthIndicator keysHealthIndicator(Keys keys, ObjectProvider<KeysStorage> storage, KeysProperties p,
                                                ObjectProvider<KeysHealthIndicator.SharedLimits> limits) {
            return new KeysHealthIndicator(keys, Optional.ofNullable(storage.getIfAvailable()).map(KeysStorage::store),
                    p.getVerifier().getSyncInterval(), Optional.ofNullable(limits.getIfUnique()));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
    static class MetricsConfiguration {
        @Bean
        @ConditionalOnMissingBean
        KeysMetrics keysMetrics(Keys keys) {
            return KeysMetrics.builder().build().watch(keys.verifier());
        }
    }
}
