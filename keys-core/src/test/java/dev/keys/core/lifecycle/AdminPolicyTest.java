package dev.keys.core.lifecycle;

import dev.keys.api.ApiKey;
import dev.keys.api.AuditEvent;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStatus;
import dev.keys.api.OAuthClient;
import dev.keys.api.StoreException;
import dev.keys.core.Keys;
import dev.keys.core.authz.Roles;
import dev.keys.core.store.InMemoryClientStore;
import dev.keys.test.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The caller rules of docs/contract.md §5 as the managers enforce them for a Java caller: a manager reaches its
 * own tenant only (another tenant's key or client is exactly an unknown one), and only an admin grants
 * {@code keys:admin} or changes what holds it. Nothing refused is written or audited.
 */
class AdminPolicyTest {
    static final Roles ROLES = Roles.builder().role("superuser", List.of("keys:admin")).role("reader", List.of("documents:read")).build();
    final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    final List<AuditEvent> audit = Collections.synchronizedList(new ArrayList<>());
    final Keys keys = Keys.builder().clock(clock).roles(ROLES).audit(audit::add).verifier(v -> v.syncInterval(Duration.ZERO)).build();
    /** Ceilings wide enough that these tests see the tenant and grant rules alone (ceilings: AdminCeilingsTest and the servlet's TenantCeilingsTest). */
    static final AdminPolicy POLICY = AdminPolicy.builder(ROLES)
            .ceiling("acme", Set.of("documents:*", "billing:*", "keys:manage"), Set.of("reader"))
            .ceiling("globex", Set.of("documents:*", "billing:*", "keys:manage"), Set.of("reader")).build();
    final KeyManager manager = keys.manager().withPolicy(POLICY);
    final ClientManager clients = ClientManager.builder(new InMemoryClientStore()).clock(clock).audit(audit::add)
            .policy(POLICY).build();
    final Actor root = Actor.admin("key_root", "ops"), acme = Actor.manager("key_acme", "acme"), globex = Actor.manager("key_globex", "globex");

    @AfterEach
    void close() {
        keys.close();
    }

    ApiKey key(String tenant, String... permissions) {
        return manager.create(NewKey.builder("sk_test").tenant(tenant).permissions(permissions).build(), KeyManager.SYSTEM).key();
    }

    /** Runs a refused call and checks that it wrote and audited nothing. */
    <T extends Throwable> T refused(Class<T> type, Executable call) {
        List<ApiKey> before = manager.list(KeyQuery.all(1000)).items();
        List<OAuthClient> clientsBefore = clients.list(Optional.empty(), 1000, Optional.empty()).items();
        int events = audit.size();
        T e = assertThrows(type, call);
        assertEquals(before, manager.list(KeyQuery.all(1000)).items());
        assertEquals(clientsBefore, clients.list(Optional.empty(), 1000, Optional.empty()).items());
        assertEquals(events, audit.size());
        return e;
    }

    @Test
    void theCallerOfAKeyIsAnAdminAManagerOrNobody() {
        AdminPolicy p = manager.policy();
        ApiKey admin = key("ops", "keys:admin");
        assertEquals(Optional.of(Actor.admin(admin.id(), "ops")), p.caller(admin));
        ApiKey viaRole = manager.create(NewKey.builder("sk_test").tenant("ops").roles(Set.of("superuser")).build(), KeyManager.SYSTEM).key();
        assertTrue(p.caller(viaRole).orElseThrow().admin(), "a role that grants keys:admin makes an admin");
        ApiKey wildcard = key("ops", "keys:*");
        assertTrue(p.caller(wildcard).orElseThrow().admin());
        Actor m = p.caller(key("acme", "keys:manage")).orElseThrow();
        assertFalse(m.admin());
        assertEquals(Optional.of("acme"), m.tenant());
        assertEquals(Optional.empty(), p.caller(key("acme", "documents:read")));
        assertFalse(Actor.SYSTEM.tenant().isPresent());
        assertThrows(IllegalArgumentException.class, () -> new Actor("x", Optional.empty(), false));
    }

    @Test
    void aManagerSeesAndListsOnlyItsTenant() {
        ApiKey mine = key("acme"), theirs = key("globex");
        assertEquals(Optional.of(mine), manager.get(mine.id(), acme));
        assertEquals(Optional.empty(), manager.get(theirs.id(), acme), "another tenant's key is unknown");
        assertEquals(Optional.of(theirs), manager.get(theirs.id(), root));
        for (ApiKey k : manager.list(KeyQuery.all(1000), acme).items()) assertEquals("acme", k.tenant());
        assertFalse(manager.list(KeyQuery.all(1000), acme).items().isEmpty());
        KeyQuery other = new KeyQuery(Optional.of("globex"), Optional.empty(), 100, Optional.empty());
        assertThrows(StoreException.NotFound.class, () -> manager.list(other, acme));
        assertEquals(List.of(theirs), manager.list(other, root).items());
    }

    @Test
    void anotherTenantsKeyIsChangedByNoManagerAndAnswersAsAnUnknownOne() {
        ApiKey theirs = key("globex");
        List<Executable> calls = List.of(
                () -> manager.update(theirs.id(), b -> b.name("x"), acme),
                () -> manager.revoke(theirs.id(), acme, Optional.empty()),
                () -> manager.disable(theirs.id(), acme, Optional.empty()),
                () -> manager.enable(theirs.id(), acme),
                () -> manager.approve(theirs.id(), acme, Optional.empty()),
                () -> manager.reject(theirs.id(), acme, Optional.empty()),
                () -> manager.rotate(theirs.id(), Duration.ZERO, acme));
        for (Executable call : calls) {
            StoreException.NotFound e = refused(StoreException.NotFound.class, call);
            assertEquals("no key with id " + theirs.id(), e.getMessage());
        }
        assertEquals("no key with id key_nope",
                assertThrows(StoreException.NotFound.class, () -> manager.revoke("key_nope", acme, Optional.empty())).getMessage());
        assertEquals(KeyStatus.REVOKED, manager.revoke(theirs.id(), globex, Optional.empty()).status(), "its own manager may");
    }

    @Test
    void aManagerCreatesInItsOwnTenantOnly() {
        NewKey elsewhere = NewKey.builder("sk_test").tenant("globex").build();
        assertEquals("tenant: a keys:manage caller creates keys only in its own tenant",
                refused(AdminPolicy.Refused.class, () -> manager.create(elsewhere, acme)).getMessage());
        assertEquals("globex", manager.create(elsewhere, root).key().tenant());
        IssuedKey own = manager.create(NewKey.builder("sk_test").tenant("acme").permissions("keys:manage").build(), acme);
        assertEquals("key_acme", audit.get(audit.size() - 1).actor());
        assertEquals("acme", own.key().tenant());
        assertEquals("tenant: a keys:manage caller creates clients only in its own tenant",
                refused(AdminPolicy.Refused.class, () -> clients.create(NewClient.of("job", "globex", Set.of()), acme)).getMessage());
    }

    @Test
    void onlyAnAdminGrantsKeysAdminByPermissionWildcardOrRole() {
        for (String p : List.of("keys:admin", "keys:*", "*:*", "*:admin")) {
            NewKey k = NewKey.builder("sk_test").tenant("acme").permissions(p).build();
            assertEquals("permissions: only a keys:admin caller grants keys:admin",
                    refused(AdminPolicy.Refused.class, () -> manager.create(k, acme)).getMessage(), p);
            assertEquals("permissions: only a keys:admin caller grants keys:admin",
                    refused(AdminPolicy.Refused.class, () -> clients.create(NewClient.of("job", "acme", Set.of(p)), acme)).getMessage(), p);
        }
        NewKey role = NewKey.builder("sk_test").tenant("acme").roles(Set.of("superuser")).build();
        assertEquals("roles: only a keys:admin caller grants keys:admin", refused(AdminPolicy.Refused.class, () -> manager.create(role, acme)).getMessage());
        assertTrue(manager.create(role, root).key().roles().contains("superuser"));

        ApiKey plain = key("acme", "documents:read");
        assertEquals("permissions: only a keys:admin caller grants keys:admin", refused(AdminPolicy.Refused.class,
                () -> manager.update(plain.id(), b -> b.permissions(Set.of("keys:admin")), acme)).getMessage());
        assertEquals("roles: only a keys:admin caller grants keys:admin", refused(AdminPolicy.Refused.class,
                () -> manager.update(plain.id(), b -> b.roles(Set.of("reader", "superuser")), acme)).getMessage());
        assertEquals(Set.of("reader"), manager.update(plain.id(), b -> b.roles(Set.of("reader")), acme).roles());
    }

    @Test
    void onlyAnAdminChangesAKeyOrClientThatHoldsKeysAdmin() {
        ApiKey adminInAcme = key("acme", "keys:admin");
        List<Executable> calls = List.of(
                () -> manager.update(adminInAcme.id(), b -> b.name("x"), acme),
                () -> manager.revoke(adminInAcme.id(), acme, Optional.empty()),
                () -> manager.disable(adminInAcme.id(), acme, Optional.empty()),
                () -> manager.rotate(adminInAcme.id(), Duration.ZERO, acme));
        for (Executable call : calls) {
            assertEquals("only a keys:admin caller changes a key that holds keys:admin", refused(AdminPolicy.Refused.class, call).getMessage());
        }
        assertEquals(Optional.of(adminInAcme), manager.get(adminInAcme.id(), acme), "a manager still sees it");
        assertEquals(KeyStatus.DISABLED, manager.disable(adminInAcme.id(), root, Optional.empty()).status());

        OAuthClient held = clients.create(new NewClient("ops", "acme", Set.of("superuser"), Set.of(), List.of()), root).client();
        for (Executable call : List.<Executable>of(
                () -> clients.update(held.clientId(), ClientUpdate.NONE.withName("x"), acme),
                () -> clients.revoke(held.clientId(), acme, Optional.empty()),
                () -> clients.disable(held.clientId(), acme, Optional.empty()),
                () -> clients.enable(held.clientId(), acme))) {
            assertEquals("only a keys:admin caller changes a client that holds keys:admin", refused(AdminPolicy.Refused.class, call).getMessage());
        }
        assertEquals(KeyStatus.REVOKED, clients.revoke(held.clientId(), root, Optional.empty()).status());
    }

    @Test
    void clientsFollowTheTenantRulesOfKeys() {
        OAuthClient mine = clients.create(NewClient.of("job", "acme", Set.of("documents:read")), acme).client();
        OAuthClient theirs = clients.create(NewClient.of("job", "globex", Set.of()), globex).client();
        assertEquals(Optional.empty(), clients.get(theirs.clientId(), acme));
        assertEquals(Optional.of(mine), clients.get(mine.clientId(), acme));
        for (OAuthClient c : clients.list(Optional.empty(), 100, Optional.empty(), acme).items()) assertEquals("acme", c.tenant());
        assertThrows(StoreException.NotFound.class, () -> clients.list(Optional.of("globex"), 100, Optional.empty(), acme));
        assertEquals(List.of(theirs), clients.list(Optional.of("globex"), 100, Optional.empty(), root).items());
        for (Executable call : List.<Executable>of(
                () -> clients.update(theirs.clientId(), ClientUpdate.NONE.withName("x"), acme),
                () -> clients.revoke(theirs.clientId(), acme, Optional.empty()),
                () -> clients.disable(theirs.clientId(), acme, Optional.empty()),
                () -> clients.enable(theirs.clientId(), acme))) {
            assertEquals("no client with id " + theirs.clientId(), refused(StoreException.NotFound.class, call).getMessage());
        }
        assertEquals("permissions: only a keys:admin caller grants keys:admin", refused(AdminPolicy.Refused.class,
                () -> clients.update(mine.clientId(), ClientUpdate.NONE.withPermissions(Set.of("*:*")), acme)).getMessage());
        assertEquals("renamed", clients.update(mine.clientId(), ClientUpdate.NONE.withName("renamed"), acme).name());
    }

    @Test
    void theStringActorOverloadsActAsTheSystem() {
        ApiKey theirs = key("globex", "keys:admin");
        assertEquals("renamed", manager.update(theirs.id(), b -> b.name("renamed"), "ops-script").name());
        assertEquals("ops-script", audit.get(audit.size() - 1).actor());
        assertEquals(KeyStatus.REVOKED, manager.revoke(theirs.id(), KeyManager.SYSTEM, Optional.empty()).status());
        assertEquals(KeyManager.SYSTEM, Actor.SYSTEM.id());
    }

    @Test
    void withPolicyJudgesRolesWithAnotherPolicyAndSharesTheRest() {
        ClientManager noRoles = ClientManager.builder(new InMemoryClientStore()).clock(clock).audit(audit::add).build();
        NewClient viaRole = new NewClient("job", "acme", Set.of("superuser"), Set.of(), List.of());
        assertEquals("roles: names a role that is not defined", refused(IllegalArgumentException.class,
                () -> noRoles.create(viaRole, acme)).getMessage(), "without the roles, superuser is not defined");
        assertEquals("roles: only a keys:admin caller grants keys:admin",
                refused(AdminPolicy.Refused.class, () -> noRoles.withPolicy(POLICY).create(viaRole, acme)).getMessage());
        assertSame(manager, manager.withPolicy(manager.policy()));
        assertSame(AdminPolicy.DEFAULT, AdminPolicy.of(Roles.EMPTY));
    }
}
