package dev.keys.core.lifecycle;

import dev.keys.api.AuditEvent;
import dev.keys.api.KeyStatus;
import dev.keys.api.OAuthClient;
import dev.keys.api.RateLimit;
import dev.keys.api.StoreException;
import dev.keys.core.store.InMemoryClientStore;
import dev.keys.test.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Every write of a client is audited in the one notation of keys, with the actor, the tenant and the reason. */
class ClientManagerTest {
    final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    final List<AuditEvent> audit = Collections.synchronizedList(new ArrayList<>());
    static final AdminPolicy POLICY = AdminPolicy.builder(dev.keys.core.authz.Roles.builder().role("r", List.of("a:b")).build())
            .ceiling("acme", Set.of("a:b", "b:c", "documents:read", "billing:read"), Set.of("r")).build();
    final ClientManager clients = ClientManager.builder(new InMemoryClientStore()).clock(clock).audit(audit::add).policy(POLICY).build();
    final Actor acme = Actor.manager("key_acme", "acme");

    AuditEvent last() {
        return audit.get(audit.size() - 1);
    }

    @Test
    void everyWriteIsAuditedWithAFieldDiff() {
        IssuedClient issued = clients.create(new NewClient("job", "acme", Set.of(), Set.of("documents:read", "billing:read"), List.of()), acme);
        String id = issued.clientId();
        AuditEvent create = last();
        assertEquals(List.of("client.create", "key_acme", "acme", id), List.of(create.action(), create.actor(), create.tenant(), create.keyId()));
        assertEquals(List.of("", "job"), create.changes().get("name"));
        assertEquals(List.of("", "[billing:read, documents:read]"), create.changes().get("permissions"));
        assertEquals(List.of("", "ACTIVE"), create.changes().get("status"));
        assertFalse(create.changes().containsKey("roles"), "a create lists what is set");
        assertFalse(create.changes().containsKey("secretDigest"));
        assertFalse(create.toString().contains(issued.clientSecret()));

        clock.advance(Duration.ofSeconds(5));
        clients.update(id, ClientUpdate.NONE.withName("renamed").withRatelimits(List.of(new RateLimit("burst", 5, Duration.ofSeconds(1)))), acme);
        assertEquals("client.update", last().action());
        assertEquals(Map.of("name", List.of("job", "renamed"),
                "ratelimits", List.of("[]", "[" + new RateLimit("burst", 5, Duration.ofSeconds(1)) + "]")), last().changes());

        clients.disable(id, acme, Optional.of("unpaid"));
        assertEquals(List.of("client.disable", "unpaid"), List.of(last().action(), last().reason().orElseThrow()));
        assertEquals(Map.of("status", List.of("ACTIVE", "DISABLED")), last().changes());
        clients.enable(id, acme);
        assertEquals(Map.of("status", List.of("DISABLED", "ACTIVE")), last().changes());
        clients.revoke(id, acme, Optional.of("retired"));
        assertEquals(List.of("client.revoke", "retired"), List.of(last().action(), last().reason().orElseThrow()));
        assertEquals(Map.of("status", List.of("ACTIVE", "REVOKED")), last().changes());
        assertThrows(IllegalStateException.class, () -> clients.enable(id, acme));
        assertEquals(List.of("client.create", "client.update", "client.disable", "client.enable", "client.revoke"),
                audit.stream().map(AuditEvent::action).toList());
    }

    @Test
    void keysAndClientsShareOneNotation() {
        List<AuditEvent> keyEvents = new ArrayList<>();
        KeyManager keys = KeyManager.builder(new dev.keys.core.store.InMemoryKeyStore()).clock(clock).audit(keyEvents::add).policy(POLICY).build();
        IssuedKey k = keys.create(NewKey.builder("sk_test").tenant("acme").build(), acme);
        keys.update(k.key().id(), b -> b.permissions(Set.of("b:c", "a:b")).roles(Set.of("r")), acme);
        String id = clients.create(NewClient.of("job", "acme", Set.of()), acme).clientId();
        clients.update(id, ClientUpdate.NONE.withPermissions(Set.of("b:c", "a:b")).withRoles(Set.of("r")), acme);
        Map<String, List<String>> key = keyEvents.get(1).changes(), client = last().changes();
        assertEquals(List.of("[]", "[a:b, b:c]"), key.get("permissions"));
        assertEquals(key.get("permissions"), client.get("permissions"));
        assertEquals(key.get("roles"), client.get("roles"));
        keys.revoke(k.key().id(), acme, Optional.empty());
        clients.revoke(id, acme, Optional.empty());
        assertEquals(keyEvents.get(2).changes(), last().changes());
    }

    @Test
    void theOverloadsWithoutAnActorActAsTheSystem() {
        OAuthClient c = clients.create(NewClient.of("job", "acme", Set.of("keys:admin"))).client();
        assertEquals(KeyManager.SYSTEM, last().actor());
        clients.update(c.clientId(), ClientUpdate.NONE.withName("x"));
        clients.setEnabled(c.clientId(), false);
        assertEquals("client.disable", last().action());
        clients.setEnabled(c.clientId(), true);
        assertEquals(KeyStatus.REVOKED, clients.revoke(c.clientId()).status());
        assertEquals(List.of("client.create", "client.update", "client.disable", "client.enable", "client.revoke"),
                audit.stream().map(AuditEvent::action).toList());
        assertThrows(StoreException.NotFound.class, () -> clients.revoke("client_nope"));
    }

    @Test
    void aFailingAuditSinkDoesNotFailACommittedChange() {
        ClientManager m = ClientManager.builder(new InMemoryClientStore()).clock(clock)
                .audit(e -> { throw new StoreException.Unavailable("audit down", null); }).build();
        String id = m.create(NewClient.of("job", "acme", Set.of())).clientId();
        assertEquals(KeyStatus.REVOKED, m.revoke(id).status());
        assertEquals(KeyStatus.REVOKED, m.get(id).orElseThrow().status());
    }
}
