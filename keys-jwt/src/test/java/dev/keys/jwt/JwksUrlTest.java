package dev.keys.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpServer;
import dev.keys.api.Outcome;
import dev.keys.test.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/** Keys fetched from a JWKS URL on a loopback server: caching, rate-limited refresh, size limit, outage. */
class JwksUrlTest {
    final ManualClock clock = new ManualClock(Instant.now());
    SigningKeys keys;
    HttpServer server;
    final AtomicInteger fetches = new AtomicInteger();
    volatile Supplier<String> body;

    @BeforeEach
    void start() throws Exception {
        keys = SigningKeys.generate(SigningKeys.Algorithm.ES256, Duration.ofHours(1), clock);
        body = keys::jwks;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/jwks.json", ex -> {
            fetches.incrementAndGet();
            byte[] b = body.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    URL url() throws Exception {
        return new URL("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
    }

    JwtVerifier verifier(URL url) {
        return JwtVerifier.builder().jwksUrl(url).algorithms("ES256").issuer("iss").audience("aud").clock(clock).build();
    }

    String token(SigningKeys k) {
        Instant now = clock.instant();
        return k.sign(new JWTClaimsSet.Builder().issuer("iss").audience("aud").subject("s").jwtID(Long.toString(System.nanoTime()))
                .expirationTime(Date.from(now.plusSeconds(300))).build(), Optional.empty());
    }

    @Test
    void keysAreCachedAndUnknownKidRefreshIsRateLimited() throws Exception {
        JwtVerifier v = verifier(url());
        assertTrue(v.verify(token(keys)).isValid());
        assertTrue(v.verify(token(keys)).isValid());
        assertEquals(1, fetches.get(), "the key set is cached");

        keys.rotate(); // a new kid appears at the issuer
        assertTrue(v.verify(token(keys)).isValid(), "an unknown kid triggers one refresh");
        int afterRefresh = fetches.get();
        assertEquals(2, afterRefresh);

        SigningKeys stranger = SigningKeys.generate(SigningKeys.Algorithm.ES256, Duration.ofHours(1), clock);
        for (int i = 0; i < 10; i++) assertEquals(JwtVerifier.UNKNOWN_KEY, v.verify(token(stranger)));
        assertTrue(fetches.get() <= afterRefresh + 1, "unknown kids refetch at most once per interval: " + fetches.get());
    }

    @Test
    void unreachableKeySetIsStoreUnavailable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        JwtVerifier v = verifier(new URL("http://127.0.0.1:" + port + "/jwks.json"));
        assertEquals(Outcome.STORE_UNAVAILABLE, v.verify(token(keys)).outcome());
    }

    @Test
    void oversizedKeySetIsRefused() throws Exception {
        String small = "x".repeat(30 * 1024), big = "x".repeat(70 * 1024);
        body = () -> keys.jwks().replaceFirst("\\{", "{\"pad\":\"" + small + "\",");
        assertTrue(verifier(url()).verify(token(keys)).isValid(), "under the 64 KiB limit");
        body = () -> keys.jwks().replaceFirst("\\{", "{\"pad\":\"" + big + "\",");
        assertEquals(Outcome.STORE_UNAVAILABLE, verifier(url()).verify(token(keys)).outcome());
    }

    @Test
    void hostileTokensCauseNoFetch() throws Exception {
        JwtVerifier v = verifier(url());
        String claims = com.nimbusds.jose.util.Base64URL.encode("{\"sub\":\"s\"}").toString();
        for (String alg : new String[]{"none", "HS256", "ES384"}) {
            String header = com.nimbusds.jose.util.Base64URL.encode("{\"alg\":\"" + alg + "\",\"kid\":\"x\"}").toString();
            assertEquals(Outcome.MALFORMED, v.verify(header + "." + claims + ".AAAA").outcome());
        }
        assertEquals(0, fetches.get());
    }
}
