package dev.keys.core.lifecycle;

import dev.keys.api.AuditEvent;
import dev.keys.api.Outcome;
import dev.keys.api.RequestContext;
import dev.keys.api.StoreException;
import dev.keys.api.StoredRole;
import dev.keys.core.Keys;
import dev.keys.core.authz.PermissionQuery;
import dev.keys.core.authz.Requirement;
import dev.keys.core.authz.Roles;
import dev.keys.core.store.InMemoryAuditLog;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.test.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Roles at run time through the real parts of the core: a {@link RoleManager} writing to the store's roles, the
 * verifier of the same {@code Keys} applying them from its next request, a second {@code Keys} over the same store
 * (another instance) from its next change-feed poll, and the admin policy judging grants with them.
 */
class RuntimeRolesTest {
    static final Requirement READ = Requirement.of(PermissionQuery.parse("documents:read"));
    static final Requirement WRITE = Requirement.of(PermissionQuery.parse("documents:write"));
    static final Roles FIXED = Roles.builder().role("reader", Set.of("documents:read")).build();

    final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    final InMemoryKeyStore store = new InMemoryKeyStore();
    final InMemoryAuditLog audit = new InMemoryAuditLog();
    final Keys a = keys(), b = keys();
    final Actor admin = Actor.admin("key_admin", "default"), manager = Actor.manager("key_manager", "default");

    Keys keys() {
        return Keys.builder().store(store).clock(clock).audit(audit).roles(FIXED).verifier(v -> v.syncInterval(Duration.ZERO)).build();
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    Outcome verify(Keys k, String key, Requirement r) {
        return k.verifier().verify(key, RequestContext.NONE, r).outcome();
    }

    @Test
    void aStoredRoleHoldsHereAtOnceAndOnAnotherInstanceAfterItsPoll() {
        String key = a.manager().create(NewKey.builder("sk_test").roles(Set.of("editor")).build(), KeyManager.SYSTEM).plaintext();
        assertEquals(Outcome.INSUFFICIENT_PERMISSIONS, verify(a, key, WRITE), "an unknown role grants nothing");
        assertEquals(Outcome.INSUFFICIENT_PERMISSIONS, verify(b, key, WRITE));

        a.roleManager().put("editor", Set.of("documents:write"), admin);
        assertEquals(Outcome.VALID, verify(a, key, WRITE), "this process: from the next request");
        assertEquals(Outcome.INSUFFICIENT_PERMISSIONS, verify(b, key, WRITE), "the other instance has not polled yet");
        b.verifier().sync();
        assertEquals(Outcome.VALID, verify(b, key, WRITE));

        a.roleManager().put("editor", Set.of("documents:read"), admin);
        b.verifier().sync();
        assertEquals(Outcome.INSUFFICIENT_PERMISSIONS, verify(b, key, WRITE), "a narrowed role narrows cached keys");
        assertEquals(Outcome.VALID, verify(b, key, READ));

        a.roleManager().delete("editor", admin);
        b.verifier().sync();
        assertEquals(Outcome.INSUFFICIENT_PERMISSIONS, verify(a, key, READ), "a deleted role grants nothing");
        assertEquals(Outcome.INSUFFICIENT_PERMISSIONS, verify(b, key, READ));
        assertEquals(Set.of("editor"), a.manager().get(a.manager().list(new dev.keys.api.KeyQuery(Optional.empty(), Optional.empty(), 10, Optional.empty()))
                .items().get(0).id()).orElseThrow().roles(), "the key keeps the name");
    }

    @Test
    void aVerifierStartedLaterReadsTheStoredRoles() {
        a.roleManager().put("editor", Set.of("documents:write"), admin);
        String key = a.manager().create(NewKey.builder("sk_test").roles(Set.of("editor")).build(), KeyManager.SYSTEM).plaintext();
        try (Keys c = keys()) {
            assertEquals(Outcome.VALID, verify(c, key, WRITE));
        }
    }

    @Test
    void listingSaysEachRolesSourceAndFixedRolesAreReadOnly() {
        a.roleManager().put("editor", Set.of("documents:write", "documents:read"), admin);
        assertEquals(List.of(new RoleManager.RoleView("editor", Set.of("documents:read", "documents:write"), Roles.Source.STORE),
                new RoleManager.RoleView("reader", Set.of("documents:read"), Roles.Source.CODE)), a.roleManager().list(manager));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> a.roleManager().put("reader", Set.of("x:y"), admin));
        assertTrue(e.getMessage().contains("source code"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> a.roleManager().delete("reader", admin));
        assertThrows(StoreException.NotFound.class, () -> a.roleManager().delete("nobody", admin));
        assertEquals(Optional.empty(), store.roles().orElseThrow().find("reader"), "nothing was stored");
    }

    @Test
    void onlyAdminsWriteRolesAndBadInputNamesTheField() {
        assertThrows(AdminPolicy.Refused.class, () -> a.roleManager().put("editor", Set.of("documents:write"), manager));
        assertThrows(AdminPolicy.Refused.class, () -> a.roleManager().delete("editor", manager));
        assertEquals("name: not a role name (1 to 64 of A-Z a-z 0-9 . _ : -)",
                assertThrows(IllegalArgumentException.class, () -> a.roleManager().put("a b", Set.of(), admin)).getMessage());
        assertEquals("permissions[0]: not a permission (resource:action[:instance])",
                assertThrows(IllegalArgumentException.class, () -> a.roleManager().put("ok", Set.of("nocolon"), admin)).getMessage());
        assertEquals(List.of(), store.roles().orElseThrow().list());
    }

    @Test
    void writesAreAuditedWithActorAndBeforeAfter() {
        a.roleManager().put("editor", Set.of("documents:write"), admin);
        a.roleManager().put("editor", Set.of("documents:read", "documents:write"), admin);
        a.roleManager().delete("editor", admin);
        List<AuditEvent> events = audit.find(Optional.empty(), Optional.of("role:editor"), 10, Optional.empty()).items();
        assertEquals(List.of("role.delete", "role.update", "role.create"), events.stream().map(AuditEvent::action).toList());
        assertEquals(Map.of("permissions", List.of("[documents:read, documents:write]", "")), events.get(0).changes());
        assertEquals(Map.of("permissions", List.of("[documents:write]", "[documents:read, documents:write]")), events.get(1).changes());
        assertEquals(Map.of("permissions", List.of("", "[documents:write]")), events.get(2).changes());
        for (AuditEvent e : events) {
            assertEquals("key_admin", e.actor());
            assertEquals(RoleManager.ALL_TENANTS, e.tenant());
        }
    }

    @Test
    void grantsAreJudgedWithStoredRolesUndefinedOnesAreRefusedAndTheDefaultCeilingFollows() {
        AdminPolicy policy = a.manager().policy();
        assertThrows(IllegalArgumentException.class, () -> a.manager().create(NewKey.builder("sk_test").roles(Set.of("editor")).build(), manager),
                "an undefined role");
        a.roleManager().put("editor", Set.of("documents:write"), admin);
        a.manager().create(NewKey.builder("sk_test").roles(Set.of("editor")).build(), manager);
        a.roleManager().put("editor", Set.of("documents:write", "keys:admin"), admin);
        assertTrue(policy.grantsAdmin(Set.of("editor"), Set.of()), "a stored role reaching keys:admin counts as keys:admin");
        assertThrows(AdminPolicy.Refused.class, () -> a.manager().create(NewKey.builder("sk_test").roles(Set.of("editor")).build(), manager));
        // A policy built apart (the admin API's) judges with the same stored roles once linked to the Keys' catalog.
        AdminPolicy linked = AdminPolicy.of(FIXED).withStoredRolesOf(a.roleCatalog());
        assertTrue(linked.grantsAdmin(Set.of("editor"), Set.of()));
        assertFalse(AdminPolicy.of(FIXED).grantsAdmin(Set.of("editor"), Set.of()));
    }

    @Test
    void aStoredRoleThatIsNotValidGrantsNothingAndStopsNothing() {
        store.roles().orElseThrow().put(new StoredRole("broken", Set.of("not a permission")));
        a.roleManager().put("editor", Set.of("documents:write"), admin);
        String key = a.manager().create(NewKey.builder("sk_test").roles(Set.of("editor", "broken")).build(), KeyManager.SYSTEM).plaintext();
        b.verifier().sync();
        assertEquals(Outcome.VALID, verify(b, key, WRITE));
        assertTrue(a.roles().sourceOf("broken").isEmpty());
    }
}
