package dev.keys.core.lifecycle;

import dev.keys.api.ApiKey;
import dev.keys.api.AuditEvent;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStatus;
import dev.keys.core.authz.Policy;
import dev.keys.core.authz.Roles;
import dev.keys.core.authz.RouteTable;
import dev.keys.core.authz.TrustedProxies;
import dev.keys.core.lifecycle.Actor.Right;
import dev.keys.core.store.InMemoryKeyStore;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The rules of docs/contract.md §5 that issue 14 items 3 and 5 and issue 17 item 9 added, as a Java caller meets
 * them: tenant ceilings, separation of duties, and the rights of readers and verifiers.
 */
class AdminCeilingsTest {
    static final Roles ROLES = Roles.builder().role("reader", List.of("documents:read")).role("ops", List.of("keys:manage"))
            .role("everything", List.of("*:read")).build();
    static final RouteTable ROUTES = RouteTable.parse("GET /d/** -> documents:read\nPOST /d -> documents:write AND audit:write\n* /k -> keys:read");
    final List<AuditEvent> audit = new ArrayList<>();
    final KeyManager keys = KeyManager.builder(new InMemoryKeyStore()).audit(audit::add)
            .policy(AdminPolicy.builder(ROLES).routes(ROUTES).ceiling("acme", Set.of("documents:*"), Set.of()).build()).build();
    final Actor root = Actor.admin("key_root", "ops"), globex = Actor.manager("key_globex", "globex"), acme = Actor.manager("key_acme", "acme");

    IssuedKey create(Actor by, String tenant, Set<String> roles, String... permissions) {
        return keys.create(NewKey.builder("sk_test").tenant(tenant).roles(roles).permissions(permissions).build(), by);
    }

    @Test
    void theDefaultCeilingIsTheRolesAndTheRoutesPermissionsLeavingOutKeys() {
        create(globex, "globex", Set.of("reader"), "documents:read", "documents:write", "audit:write", "documents:read:7");
        for (String p : List.of("keys:read", "documents:*", "*:read", "billing:read")) {
            assertThrows(AdminPolicy.Refused.class, () -> create(globex, "globex", Set.of(), p), p);
        }
        for (String r : List.of("ops", "everything")) {
            assertThrows(AdminPolicy.Refused.class, () -> create(globex, "globex", Set.of(r)), r + " reaches a keys: right");
        }
        // A configured ceiling replaces the default one: acme grants documents:* but no role.
        create(acme, "acme", Set.of(), "documents:*");
        assertThrows(AdminPolicy.Refused.class, () -> create(acme, "acme", Set.of("reader")));
        assertThrows(AdminPolicy.Refused.class, () -> create(acme, "acme", Set.of(), "audit:write"));
        // An admin has no ceiling, but names defined roles only; the system is trusted code.
        create(root, "acme", Set.of(), "billing:*");
        assertEquals("roles: names a role that is not defined",
                assertThrows(IllegalArgumentException.class, () -> create(root, "acme", Set.of("ROLE_ADMIN"))).getMessage());
        create(Actor.SYSTEM, "acme", Set.of("ROLE_LEGACY"));
    }

    @Test
    void aLoadedPolicyGivesItsCeilingsAndACeilingNamesDefinedRolesOnly() {
        Policy loaded = new Policy(ROLES, ROUTES, TrustedProxies.NONE, Map.of("acme", new Policy.Ceiling(Set.of("hello:read"), Set.of("reader"))));
        KeyManager m = keys.withPolicy(AdminPolicy.from(loaded));
        m.create(NewKey.builder("sk_test").tenant("acme").roles(Set.of("reader")).permissions("hello:read").build(), acme);
        assertThrows(AdminPolicy.Refused.class, () -> m.create(NewKey.builder("sk_test").tenant("acme").permissions("documents:read").build(), acme));
        assertThrows(IllegalArgumentException.class, () -> AdminPolicy.builder(ROLES).ceiling("acme", Set.of(), Set.of("ghost")));
        assertThrows(IllegalArgumentException.class, () -> AdminPolicy.builder(ROLES).ceiling("acme", Set.of("nope"), Set.of()));
    }

    @Test
    void aManagerNeverWidensItsOwnKeyButMayNarrowIt() {
        ApiKey self = create(root, "globex", Set.of(), "keys:manage", "documents:read").key();
        Actor me = keys.policy().caller(self).orElseThrow();
        assertThrows(AdminPolicy.Refused.class, () -> keys.update(self.id(), b -> b.permissions(Set.of("keys:manage", "documents:read", "documents:write")), me));
        assertThrows(AdminPolicy.Refused.class, () -> keys.update(self.id(), b -> b.roles(Set.of("reader")), me));
        assertEquals(Set.of("keys:manage"), keys.update(self.id(), b -> b.permissions(Set.of("keys:manage")), me).permissions());
    }

    @Test
    void separationOfDutiesIsAuditedWhenRefused() {
        ApiKey k = create(acme, "acme", Set.of(), "documents:read").key();
        assertEquals("key_acme", k.createdBy());
        assertTrue(keys.disable(k.id(), root, Optional.empty()).adminHold());
        // A manager disabling again keeps the admin's hold.
        assertTrue(keys.disable(k.id(), acme, Optional.empty()).adminHold());
        AdminPolicy.Refused e = assertThrows(AdminPolicy.Refused.class, () -> keys.enable(k.id(), acme));
        AuditEvent last = audit.get(audit.size() - 1);
        assertEquals(List.of("enable.refused", "key_acme", "acme", k.id()), List.of(last.action(), last.actor(), last.tenant(), last.keyId()));
        assertEquals(Optional.of(e.getMessage()), last.reason());
        assertEquals(KeyStatus.DISABLED, keys.get(k.id()).orElseThrow().status());
        assertFalse(keys.enable(k.id(), root).adminHold());

        ApiKey pending = keys.create(NewKey.builder("sk_test").tenant("acme").requiresApproval(true).build(), acme).key();
        assertThrows(AdminPolicy.Refused.class, () -> keys.approve(pending.id(), acme, Optional.empty()));
        assertEquals("approve.refused", audit.get(audit.size() - 1).action());
        assertEquals(KeyStatus.ACTIVE, keys.approve(pending.id(), Actor.manager("key_acme2", "acme"), Optional.empty()).status());
        ApiKey rejected = keys.create(NewKey.builder("sk_test").tenant("acme").requiresApproval(true).build(), root).key();
        keys.reject(rejected.id(), root, Optional.of("no"));
        assertThrows(AdminPolicy.Refused.class, () -> keys.approve(rejected.id(), acme, Optional.empty()));
        assertEquals(KeyStatus.ACTIVE, keys.approve(rejected.id(), root, Optional.empty()).status());
    }

    @Test
    void readersReadAndVerifiersNeitherReadNorWrite() {
        ApiKey k = create(acme, "acme", Set.of(), "documents:read").key();
        Actor reader = Actor.of("key_r", "acme", EnumSet.of(Right.READ)), verifier = Actor.of("key_v", "acme", EnumSet.of(Right.VERIFY));
        assertEquals(Optional.of(k), keys.get(k.id(), reader));
        assertFalse(keys.list(KeyQuery.all(10), reader).items().isEmpty());
        assertThrows(AdminPolicy.Refused.class, () -> keys.update(k.id(), b -> b.name("x"), reader));
        assertThrows(AdminPolicy.Refused.class, () -> keys.revoke(k.id(), reader, Optional.empty()));
        assertThrows(AdminPolicy.Refused.class, () -> create(reader, "acme", Set.of()));
        assertThrows(AdminPolicy.Refused.class, () -> keys.get(k.id(), verifier));
        assertThrows(AdminPolicy.Refused.class, () -> keys.list(KeyQuery.all(10), verifier));
        assertThrows(AdminPolicy.Refused.class, () -> keys.rotate(k.id(), java.time.Duration.ZERO, verifier));
        assertEquals(EnumSet.allOf(Right.class), EnumSet.copyOf(root.rights()));
        assertEquals(EnumSet.of(Right.MANAGE, Right.READ, Right.VERIFY), EnumSet.copyOf(acme.rights()));
        ApiKey both = create(root, "acme", Set.of(), "keys:read", "keys:verify").key();
        assertEquals(EnumSet.of(Right.READ, Right.VERIFY), EnumSet.copyOf(keys.policy().caller(both).orElseThrow().rights()));
    }
}
