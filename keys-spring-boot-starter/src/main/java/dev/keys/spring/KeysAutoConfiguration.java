package dev.keys.spring;

import dev.keys.api.Clock;
import dev.keys.api.Quota;
import dev.keys.api.RateLimit;
import dev.keys.core.Keys;
import dev.keys.core.authz.Roles;
import dev.keys.core.hash.KeyHasher;
import dev.keys.core.lifecycle.AdminPolicy;
import dev.keys.core.limit.LimiterFactory;
import dev.keys.core.limit.Tiers;
import dev.keys.jdbc.JdbcStores;
import dev.keys.redis.RedisLimits;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The core of the starter: {@link Keys} over the application's {@code DataSource} (the JDBC store, migrated at
 * start unless {@code keys.jdbc.migrate=false}) or, with none, in memory, with the roles, tiers and verifier
 * settings of {@link KeysProperties}. Every bean backs off when the application defines its own.
 */
@AutoConfiguration(afterName = {"org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"})
@EnableConfigurationProperties(KeysProperties.class)
class KeysAutoConfiguration {
    static final System.Logger LOG = System.getLogger("dev.keys.spring");
    static final String REDIS_CLASS = "dev.keys.redis.RedisLimits";

    KeysAutoConfiguration(Environment env, ResourceLoader loader) {
        // keys.redis.* is bound only with keys-redis present: without it, a configured URL must not silently leave
        // limits per instance.
        if (env.containsProperty("keys.redis.url") && !ClassUtils.isPresent(REDIS_CLASS, loader.getClassLoader())) {
            throw new IllegalStateException("keys.redis.url is set, but keys-redis is not on the class path: add dev.keys:keys-redis");
        }
    }

    /** How keys are hashed; define a {@code KeyHasher} bean for HMAC with a pepper ({@code KeyHasher.hmac}). */
    @Bean
    @ConditionalOnMissingBean
    KeyHasher keysHasher() {
        return KeyHasher.sha256();
    }

    @Bean
    @ConditionalOnMissingBean
    Roles keysRoles(KeysProperties p) {
        Roles.Builder b = Roles.builder();
        p.getRoles().forEach((name, permissions) -> b.role(name, trimmed(permissions)));
        return b.build();
    }

    @Bean
    @ConditionalOnMissingBean
    Tiers keysTiers(KeysProperties p) {
        Tiers.Builder b = Tiers.builder();
        for (Map.Entry<String, KeysProperties.Tier> t : p.getTiers().entrySet()) {
            List<RateLimit> limits = new ArrayList<>();
            t.getValue().getRatelimits().forEach((name, bw) -> limits.add(new RateLimit(name, bw.getLimit(), bw.getDuration(), bw.getBurst())));
            KeysProperties.TierQuota q = t.getValue().getQuota();
            b.tier(t.getKey(), limits, q.getLimit() > 0 ? Optional.of(new Quota(q.getLimit(), q.getPeriod())) : Optional.empty());
        }
        if (!p.getDefaultTier().isBlank()) b.defaultTier(p.getDefaultTier().strip());
        return b.build();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Keys keys(KeysProperties p, KeysStorage storage, KeyHasher hasher, Roles roles, Tiers tiers, ObjectProvider<LimiterFactory> limiters) {
        KeysProperties.Verifier v = p.getVerifier();
        Keys.Builder keys = Keys.builder();
        limiters.ifUnique(keys::limiters);
        return keys.store(storage.store()).hasher(hasher).audit(storage.audit()).usageCounters(storage.counters())
                .roles(roles).tiers(tiers).quotaZone(p.getQuotaZone())
                .verifier(b -> {
                    b.cacheSize(v.getCacheSize()).negativeCache(v.getNegativeCacheSize(), v.getNegativeCacheTtl())
                            .syncInterval(v.getSyncInterval()).staleBound(v.getStaleBound())
                            .acceptImportedKeys(v.isAcceptImportedKeys()).usageSink(storage.usage());
                    if (v.getEnvironment() != null) b.environment(v.getEnvironment());
                })
                .build();
    }

    /** What the admin API lets managers grant: the roles, the routes' permissions, and each tenant's ceiling. */
    @Bean
    @ConditionalOnMissingBean
    AdminPolicy keysAdminPolicy(KeysProperties p, Roles roles) {
        AdminPolicy.Builder b = AdminPolicy.builder(roles);
        KeysFilters.routes(p).ifPresent(b::routes);
        p.getTenants().forEach((tenant, t) -> b.ceiling(tenant, Set.copyOf(trimmed(t.getCeiling().getPermissions())),
                Set.copyOf(trimmed(t.getCeiling().getRoles()))));
        return b.build();
    }

    static List<String> trimmed(List<String> values) {
        return values.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** A key's Spring Security authorities, for the servlet and the reactive integration alike. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.security.core.GrantedAuthority")
    static class SpringSecurity {
        @Bean
        Authorities keysAuthorities(Keys keys) {
            return new Authorities(keys.roleCatalog());
        }
    }

    /** {@code keys.redis.url} means rate limits in Redis, shared by every instance (keys-redis on the class path). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = REDIS_CLASS)
    @EnableConfigurationProperties(KeysRedisProperties.class)
    static class Redis {
        @Bean(destroyMethod = "close")
        @ConditionalOnProperty(name = "keys.redis.url")
        @ConditionalOnMissingBean(LimiterFactory.class)
        RedisLimits keysRedisLimits(KeysRedisProperties r) {
            return RedisLimits.builder(r.getUrl()).mode(r.getMode()).onFailure(r.getOnFailure()).timeout(r.getTimeout())
                    .keyPrefix(r.getKeyPrefix()).build();
        }

        @Bean
        @ConditionalOnBean(RedisLimits.class)
        KeysHealthIndicator.SharedLimits keysRedisHealth(RedisLimits redis, KeysRedisProperties r) {
            boolean failsClosed = r.getOnFailure() == RedisLimits.FaultPolicy.UNAVAILABLE;
            return new KeysHealthIndicator.SharedLimits() {
                @Override public boolean available() { return redis.available(); }
                @Override public long fallbacks() { return redis.fallbacks(); }
                @Override public boolean failsClosed() { return failsClosed; }
            };
        }
    }

    /** A {@code DataSource} bean means the JDBC store: keys, audit, usage and counters in that database. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBean(DataSource.class)
    @ConditionalOnMissingBean(Keys.class)
    static class JdbcStorage {
        @Bean
        @ConditionalOnMissingBean
        JdbcStores keysJdbcStores(DataSource dataSource, KeysProperties p) {
            return JdbcStores.builder(dataSource).migrate(p.getJdbc().isMigrate()).queryTimeout(p.getJdbc().getQueryTimeout()).build();
        }

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        KeysStorage keysStorage(JdbcStores stores) {
            LOG.log(System.Logger.Level.INFO, "keys: keys are stored in the application''s DataSource ({0})", stores.dialect());
            return KeysStorage.jdbc(stores, Clock.system());
        }
    }

    /** No {@code DataSource}: everything in memory, which a restart loses. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingBean({Keys.class, DataSource.class})
    static class MemoryStorage {
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        KeysStorage keysStorage() {
            LOG.log(System.Logger.Level.WARNING, "keys: no DataSource bean, so keys are kept in memory and lost at restart;"
                    + " define a DataSource (e.g. spring.datasource.url) to keep them in a database");
            return KeysStorage.inMemory(Clock.system());
        }
    }
}
