package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.api.AuditEvent;
import dev.keys.api.KeyStatus;
import dev.keys.core.lifecycle.NewKey;
import dev.keys.servlet.harness.JettyHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** GitHub's secret-scanning partner endpoint over HTTP, with payloads signed by a key pair the test makes. */
class GitHubSecretScanningTest {
    private static final String PATH = "/secret-scanning/github";
    @TempDir
    Path dir;
    private final KeyPair github = pair(), stranger = pair();

    private static KeyPair pair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private String keyList() {
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(github.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        return JettyHarness.JSON.createObjectNode().set("public_keys", JettyHarness.JSON.createArrayNode()
                .add(JettyHarness.JSON.createObjectNode().put("key_identifier", "gh-1").put("key", pem).put("is_current", true))).toString();
    }

    private static String sign(KeyPair by, String body) throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(by.getPrivate());
        s.update(body.getBytes(StandardCharsets.UTF_8));
        return Base64.getEncoder().encodeToString(s.sign());
    }

    private static JettyHarness.Exchange post(JettyHarness h, String body, String keyId, String signature) {
        HttpRequest.Builder r = h.request(PATH).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (keyId != null) r.header(GitHubSecretScanningServlet.KEY_ID_HEADER, keyId);
        if (signature != null) r.header(GitHubSecretScanningServlet.SIGNATURE_HEADER, signature);
        return h.send(r.build());
    }

    private static String payload(String... tokens) {
        var a = JettyHarness.JSON.createArrayNode();
        for (String t : tokens) {
            a.addObject().put("token", t).put("type", "keys_api_key").put("url", "https://github.com/acme/app/blob/abc/config.yml").put("source", "content");
        }
        return a.toString();
    }

    @Test
    void revokesALiveKeyAndAnswersTheFeedbackArray() throws Exception {
        Path list = Files.writeString(dir.resolve("github-keys.json"), keyList());
        try (JettyHarness h = new JettyHarness()) {
            h.servlet(PATH, GitHubSecretScanningServlet.builder(h.keys).publicKeysFile(list).build()).start();
            var issued = h.issue(NewKey.builder("acme_live"));
            String key = issued.plaintext();
            String random = new dev.keys.core.format.KeyFormat().generate("acme_live");
            String body = payload(key, random, "not-a-key");
            JettyHarness.Exchange e = post(h, body, "gh-1", sign(github, body));
            assertEquals(200, e.status(), e.body());
            JsonNode answer = e.json();
            assertEquals(3, answer.size());
            assertEquals(GitHubSecretScanningServlet.sha256Hex(key), answer.get(0).path("token_hash").asText());
            assertTrue(answer.get(0).path("token_hash").asText().matches("[0-9a-f]{64}"));
            assertEquals("keys_api_key", answer.get(0).path("token_type").asText());
            assertEquals(List.of("true_positive", "false_positive", "false_positive"),
                    List.of(answer.get(0).path("label").asText(), answer.get(1).path("label").asText(), answer.get(2).path("label").asText()));
            assertEquals(KeyStatus.REVOKED, h.keys.manager().get(issued.key().id()).orElseThrow().status());
            AuditEvent revoked = h.audit.find(java.util.Optional.empty(), java.util.Optional.of(issued.key().id()), 10, java.util.Optional.empty())
                    .items().stream().filter(a -> a.action().equals("revoke")).findFirst().orElseThrow();
            assertEquals("leaked: https://github.com/acme/app/blob/abc/config.yml", revoked.reason().orElseThrow());
            assertEquals(GitHubSecretScanningServlet.ACTOR, revoked.actor());
            assertFalse(e.body().contains(key));
            String secret = key.substring(key.length() - 38);
            assertTrue(h.logLines.stream().noneMatch(l -> l.contains(secret)), "a log line holds the key");
            // Reported again: still a true positive, nothing more to do.
            JettyHarness.Exchange again = post(h, payload(key), "gh-1", sign(github, payload(key)));
            assertEquals("true_positive", again.json().get(0).path("label").asText());
        }
    }

    @Test
    void unsignedOrBadlySignedBodiesAre401AndChangeNothing() throws Exception {
        Path list = Files.writeString(dir.resolve("github-keys.json"), keyList());
        try (JettyHarness h = new JettyHarness()) {
            h.servlet(PATH, GitHubSecretScanningServlet.builder(h.keys).publicKeysFile(list).build()).start();
            var issued = h.issue(NewKey.builder("acme_live"));
            String body = payload(issued.plaintext());
            assertEquals(401, post(h, body, null, null).status());
            assertEquals(401, post(h, body, "gh-1", null).status());
            assertEquals(401, post(h, body, "gh-1", sign(stranger, body)).status());
            assertEquals(401, post(h, body, "gh-2", sign(github, body)).status());
            assertEquals(401, post(h, body, "gh-1", "bm90IGEgc2lnbmF0dXJl").status());
            assertEquals(401, post(h, body + " ", "gh-1", sign(github, body)).status(), "the signature covers the raw body");
            assertEquals(KeyStatus.ACTIVE, h.keys.manager().get(issued.key().id()).orElseThrow().status());
            assertEquals(405, h.get(PATH).status());
            // The request id is the client's here too (docs/contract.md §3), so that GitHub's delivery can be traced.
            JettyHarness.Exchange traced = h.get(PATH, "X-Request-Id", "gh-delivery-1");
            assertEquals("gh-delivery-1", traced.header("X-Request-Id"));
            assertEquals("gh-delivery-1", traced.json().get("requestId").asText());
        }
    }

    @Test
    void alertOnlyLeavesTheKeyAndAuditsTheReport() throws Exception {
        Path list = Files.writeString(dir.resolve("github-keys.json"), keyList());
        try (JettyHarness h = new JettyHarness()) {
            h.servlet(PATH, GitHubSecretScanningServlet.builder(h.keys).publicKeysFile(list).alertOnly(true).auditLog(h.audit).build()).start();
            var issued = h.issue(NewKey.builder("acme_live"));
            String body = payload(issued.plaintext());
            JettyHarness.Exchange e = post(h, body, "gh-1", sign(github, body));
            assertEquals("true_positive", e.json().get(0).path("label").asText());
            assertEquals(KeyStatus.ACTIVE, h.keys.manager().get(issued.key().id()).orElseThrow().status());
            assertTrue(h.audit.find(java.util.Optional.empty(), java.util.Optional.of(issued.key().id()), 10, java.util.Optional.empty())
                    .items().stream().anyMatch(a -> a.action().equals("leak-reported")));
        }
    }

    @Test
    void aFetchedKeyListIsCachedAndReadAgainWhenItExpires() throws Exception {
        AtomicInteger fetches = new AtomicInteger();
        byte[] list = keyList().getBytes(StandardCharsets.UTF_8);
        try (JettyHarness h = new JettyHarness()) {
            // GitHub's meta endpoint, served by the same Jetty.
            h.servlet("/meta/public_keys/secret_scanning", new jakarta.servlet.http.HttpServlet() {
                @Override
                protected void doGet(jakarta.servlet.http.HttpServletRequest req, jakarta.servlet.http.HttpServletResponse res) throws java.io.IOException {
                    fetches.incrementAndGet();
                    res.setContentType("application/json");
                    res.getOutputStream().write(list);
                }
            });
            h.start();
            URI url = h.uri("/meta/public_keys/secret_scanning");
            h.context.addServlet(new org.eclipse.jetty.ee10.servlet.ServletHolder(GitHubSecretScanningServlet.builder(h.keys).publicKeysUrl(url)
                    .cacheFor(Duration.ofMinutes(10)).build()), PATH);
            String body = payload("nothing_0000000000000000000000000000000000000000");
            for (int i = 0; i < 3; i++) assertEquals(200, post(h, body, "gh-1", sign(github, body)).status());
            assertEquals(1, fetches.get());
            assertEquals(401, post(h, body, "gh-9", sign(github, body)).status(), "an unknown id within a minute: no fetch");
            assertEquals(1, fetches.get());
            h.clock.advance(Duration.ofMinutes(11));
            assertEquals(200, post(h, body, "gh-1", sign(github, body)).status());
            assertEquals(2, fetches.get());
        }
    }
}
