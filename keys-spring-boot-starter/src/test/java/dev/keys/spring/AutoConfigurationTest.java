package dev.keys.spring;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.api.KeyQuery;
import dev.keys.api.Outcome;
import dev.keys.api.QuotaPeriod;
import dev.keys.api.RateLimit;
import dev.keys.core.Keys;
import dev.keys.core.authz.Roles;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.limit.Tiers;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.redis.RedisLimits;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import dev.keys.core.store.InMemoryKeyStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.util.ClassUtils;

import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The auto-configuration without a server: what properties make, and what fails the start. */
class AutoConfigurationTest {
    static final AutoConfigurations ALL = AutoConfigurations.of(KeysAutoConfiguration.class, KeysServletAutoConfiguration.class,
            KeysSecurityAutoConfiguration.class, KeysReactiveAutoConfiguration.class, KeysObservabilityAutoConfiguration.class);

    final WebApplicationContextRunner servlet = new WebApplicationContextRunner().withConfiguration(ALL)
            .withClassLoader(new FilteredClassLoader("org.springframework.security"));

    /** Registered directly, the classes reach Spring Security's types, which one surefire execution removes. */
    @BeforeAll
    static void withSpringSecurity() {
        assumeTrue(ClassUtils.isPresent("org.springframework.security.web.SecurityFilterChain", null), "Spring Security is not on the class path");
    }

    static Throwable rootCause(Throwable t) {
        while (t.getCause() != null) t = t.getCause();
        return t;
    }

    @Test
    void rolesTiersAndVerifierSettingsComeFromProperties() {
        servlet.withPropertyValues("keys.roles.reader=documents:read, hello:read", "keys.roles.writer[0]=documents:write",
                "keys.tiers.free.ratelimits.burst.limit=5", "keys.tiers.free.ratelimits.burst.duration=1s",
                "keys.tiers.free.ratelimits.sustained.limit=100", "keys.tiers.free.ratelimits.sustained.duration=1m",
                "keys.tiers.free.ratelimits.sustained.burst=20", "keys.tiers.free.quota.limit=1000", "keys.tiers.free.quota.period=day",
                "keys.tiers.pro.ratelimits.burst.limit=50", "keys.default-tier=free", "keys.verifier.sync-interval=0",
                "keys.admin.create-key=false").run(ctx -> {
            assertNull(ctx.getStartupFailure());
            Roles roles = ctx.getBean(Roles.class);
            assertEquals(Optional.of(Set.of("documents:read", "hello:read")), roles.permissionsOf("reader"));
            assertEquals(Optional.of(Set.of("documents:write")), roles.permissionsOf("writer"));
            Tiers tiers = ctx.getBean(Tiers.class);
            Tiers.Tier free = tiers.tier("free").orElseThrow();
            assertEquals(List.of(new RateLimit("burst", 5, Duration.ofSeconds(1)), new RateLimit("sustained", 100, Duration.ofMinutes(1), 20)),
                    free.ratelimits());
            assertEquals(QuotaPeriod.DAY, free.quota().orElseThrow().period());
            assertTrue(tiers.tier("pro").orElseThrow().quota().isEmpty());
            assertSame(ctx.getBean(Keys.class).roleCatalog().fixed(), roles, "the configured roles are the Keys' fixed ones");
            assertTrue(ctx.getBean(KeysStorage.class).description().contains("memory"));
        });
    }

    @Test
    void theAdminPathOffServesNoAdminApiAndCreatesNoKey() {
        servlet.withPropertyValues("keys.admin.path=off").run(ctx -> {
            assertNull(ctx.getStartupFailure());
            assertFalse(ctx.containsBean("keysAdmin"));
            assertFalse(ctx.containsBean("keysAdminBootstrap"));
            assertTrue(ctx.getBean(Keys.class).manager().list(new KeyQuery(Optional.empty(), Optional.empty(), 10, Optional.empty())).items().isEmpty());
        });
        servlet.withPropertyValues("keys.admin.path=/ops/keys/").run(ctx ->
                assertEquals(List.of("/ops/keys/*"), List.copyOf(((ServletRegistrationBean<?>) ctx.getBean("keysAdmin")).getUrlMappings())));
    }

    @Test
    void aBadSettingFailsTheStartNamingIt() {
        servlet.withPropertyValues("keys.admin.path=admin").run(ctx ->
                assertTrue(rootCause(ctx.getStartupFailure()).getMessage().contains("keys.admin.path"), ctx.getStartupFailure().toString()));
        servlet.withClassLoader(new FilteredClassLoader("org.springframework.security", "dev.keys.redis"))
                .withPropertyValues("keys.redis.url=redis://127.0.0.1:6379").run(ctx ->
                assertTrue(rootCause(ctx.getStartupFailure()).getMessage().contains("keys-redis"), ctx.getStartupFailure().toString()));
        String typo = new KeyFormat().generate("ops_live").replace('_', '-');
        servlet.withPropertyValues("keys.admin.bootstrap-key=" + typo).run(ctx -> {
            String m = rootCause(ctx.getStartupFailure()).getMessage();
            assertTrue(m.contains("keys.admin.bootstrap-key is not a well-formed key"), m);
            assertFalse(m.contains(typo), "the message never repeats the key");
        });
        servlet.withPropertyValues("keys.routes=GET /api/x -> documents:read AND").run(ctx -> assertNotNull(ctx.getStartupFailure()));
        servlet.withPropertyValues("keys.tenants.acme.ceiling.roles=nobody").run(ctx ->
                assertTrue(rootCause(ctx.getStartupFailure()).getMessage().contains("roles not defined"), String.valueOf(ctx.getStartupFailure())));
    }

    @Test
    void anApplicationsOwnKeysIsUsedAndTheStarterKeepsNoStoreOfItsOwn() {
        servlet.withBean(Keys.class, () -> Keys.builder().store(new InMemoryKeyStore()).build()).run(ctx -> {
            assertNull(ctx.getStartupFailure());
            assertFalse(ctx.containsBean("keysStorage"));
            assertTrue(ctx.containsBean("keysAdmin"), "the admin API serves the application's Keys");
        });
    }

    @Test
    void keysRedisUrlSharesTheRateLimitsThroughRedis() {
        String prefix = "keys-spring-test-" + new KeyFormat().randomBase62(8);
        servlet.withPropertyValues("keys.redis.url=redis://127.0.0.1:6379", "keys.redis.key-prefix=" + prefix, "keys.redis.timeout=1s",
                "keys.admin.path=off").run(ctx -> {
            assertNull(ctx.getStartupFailure());
            RedisLimits redis = ctx.getBean(RedisLimits.class);
            Keys keys = ctx.getBean(Keys.class);
            String key = keys.manager().create(NewKey.builder("acme_live").ratelimits(List.of(new RateLimit("burst", 2, Duration.ofMinutes(1))))
                    .build(), KeyManager.SYSTEM).plaintext();
            assertTrue(keys.verifier().verify(key).isValid());
            assertTrue(keys.verifier().verify(key).isValid());
            assertEquals(Outcome.RATE_LIMITED, keys.verifier().verify(key).outcome());
            assertTrue(redis.available(), "Redis answered");
            assertEquals(0, redis.fallbacks(), "no request fell back to in-process buckets");
            Health h = ctx.getBean(KeysHealthIndicator.class).health();
            assertEquals(Status.UP, h.getStatus());
            assertEquals("reachable", h.getDetails().get("redis"));
        });
    }

    @Test
    void webFluxWithoutTheServletApiFailsTheStartInsteadOfLeavingTheApiOpen() {
        new ReactiveWebApplicationContextRunner().withConfiguration(ALL).withClassLoader(new FilteredClassLoader("jakarta.servlet"))
                .run(ctx -> assertTrue(rootCause(ctx.getStartupFailure()).getMessage().contains("jakarta.servlet-api"),
                        String.valueOf(ctx.getStartupFailure())));
    }

    @Test
    void theJarCarriesConfigurationMetadataForEverySetting() throws Exception {
        JsonNode metadata;
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertNotNull(in, "generated by spring-boot-configuration-processor");
            metadata = Http.JSON.readTree(in);
        }
        Map<String, JsonNode> byName = new HashMap<>();
        metadata.get("properties").forEach(p -> byName.put(p.get("name").asText(), p));
        for (String p : List.of("keys.filter.url-patterns", "keys.routes", "keys.roles", "keys.tiers", "keys.tenants",
                "keys.credentials.headers", "keys.verifier.cache-size", "keys.verifier.sync-interval", "keys.verifier.stale-bound",
                "keys.admin.path", "keys.admin.bootstrap-key", "keys.jdbc.migrate", "keys.redis.url")) {
            assertTrue(byName.containsKey(p), p);
            assertFalse(byName.get(p).path("description").asText().isBlank(), p + " has a description");
        }
        assertEquals("/api/*", byName.get("keys.filter.url-patterns").get("defaultValue").get(0).asText());
        assertEquals("/admin/v1", byName.get("keys.admin.path").get("defaultValue").asText());
    }
}
