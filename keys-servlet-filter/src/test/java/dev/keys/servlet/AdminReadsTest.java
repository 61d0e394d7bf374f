package dev.keys.servlet;

import dev.keys.api.ApiKey;
import dev.keys.api.Digest;
import dev.keys.api.KeyChange;
import dev.keys.api.KeyQuery;
import dev.keys.api.KeyStore;
import dev.keys.api.Outcome;
import dev.keys.api.Page;
import dev.keys.api.Verification;
import dev.keys.core.Keys;
import dev.keys.core.lifecycle.IssuedKey;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.core.store.InMemoryKeyStore;
import dev.keys.test.ManualClock;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What an admin change costs the store: a PATCH or an action reads the key's row once and writes it once, and the
 * verifier of the same {@code Keys} takes the written state without reading it again, so that the change holds
 * from the next request.
 */
class AdminReadsTest {
    /** Counts reads by id and by digest. */
    static final class CountingStore implements KeyStore {
        final KeyStore delegate = new InMemoryKeyStore();
        final AtomicInteger byId = new AtomicInteger(), byDigest = new AtomicInteger(), updates = new AtomicInteger();

        @Override public Optional<ApiKey> findByDigest(Digest d) { byDigest.incrementAndGet(); return delegate.findByDigest(d); }
        @Override public Optional<ApiKey> findById(String id) { byId.incrementAndGet(); return delegate.findById(id); }
        @Override public ApiKey create(ApiKey k) { return delegate.create(k); }
        @Override public ApiKey update(ApiKey k) { updates.incrementAndGet(); return delegate.update(k); }
        @Override public Page<ApiKey> list(KeyQuery q) { return delegate.list(q); }
        @Override public List<KeyChange> changesSince(long s, int l) { return delegate.changesSince(s, l); }
        @Override public long lastSequence() { return delegate.lastSequence(); }
    }

    static final CountingStore STORE = new CountingStore();
    static Keys keys;
    static Server server;
    static LocalConnector connector;
    static IssuedKey root, target;

    @BeforeAll
    static void start() throws Exception {
        keys = Keys.builder().store(STORE).clock(new ManualClock(Instant.parse("2026-03-01T12:00:00Z")))
                .verifier(v -> v.syncInterval(Duration.ZERO)).build();
        root = keys.manager().create(NewKey.builder("ops_live").tenant("ops").permissions(KeyAdminServlet.ADMIN).build(), "test");
        target = keys.manager().create(NewKey.builder("acme_live").tenant("acme").permissions("documents:read").build(), "test");
        server = new Server();
        connector = new LocalConnector(server);
        server.addConnector(connector);
        ServletContextHandler ctx = new ServletContextHandler();
        ctx.addServlet(new ServletHolder(KeyAdminServlet.builder(keys).build()), "/admin/*");
        server.setHandler(ctx);
        server.start();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
        keys.close();
    }

    static int call(String method, String path, String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + root.plaintext()
                + "\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n" + body;
        ByteBuffer res = connector.getResponse(ByteBuffer.wrap(head.getBytes(StandardCharsets.UTF_8)), 5, TimeUnit.SECONDS);
        return Integer.parseInt(StandardCharsets.UTF_8.decode(res).toString().substring(9, 12));
    }

    @Test
    void aPatchReadsTheRowOnceAndTheVerifierDoesNotReadItAgain() throws Exception {
        assertEquals(200, call("GET", "/admin/keys/" + target.key().id(), ""));
        assertTrue(keys.verifier().verify(target.plaintext()).isValid());
        STORE.byId.set(0);
        STORE.byDigest.set(0);
        STORE.updates.set(0);
        assertEquals(200, call("PATCH", "/admin/keys/" + target.key().id(), "{\"name\":\"renamed\",\"permissions\":[\"documents:write\"]}"));
        assertEquals(List.of(1, 1, 0), List.of(STORE.byId.get(), STORE.updates.get(), STORE.byDigest.get()),
                "reads by id, writes, reads by digest");
        Verification v = keys.verifier().verify(target.plaintext());
        assertEquals("renamed", assertInstanceOf(Verification.Valid.class, v).key().name());
        assertEquals(200, call("POST", "/admin/keys/" + target.key().id() + "/disable", "{}"));
        assertEquals(List.of(2, 2, 0), List.of(STORE.byId.get(), STORE.updates.get(), STORE.byDigest.get()));
        assertEquals(Outcome.DISABLED, keys.verifier().verify(target.plaintext()).outcome());
    }
}
