package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.keys.api.ApiKey;
import dev.keys.api.AuditEvent;
import dev.keys.api.AuditSink;
import dev.keys.api.KeyStatus;
import dev.keys.api.StoreException;
import dev.keys.core.Keys;
import dev.keys.core.format.KeyFormat;
import dev.keys.core.hash.KeyHasher;
import dev.keys.core.lifecycle.Actor;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code POST /secret-scanning/github}, GitHub's secret-scanning partner endpoint (docs/contract.md §8). The raw
 * body must carry GitHub's ECDSA P-256 SHA-256 signature ({@code Github-Public-Key-Identifier},
 * {@code Github-Public-Key-Signature}, base64 DER) by one of GitHub's published keys, or it answers 401 and reads
 * nothing of it. Each token that is a key of this service is looked up by digest (no verification, so nothing is
 * consumed); a live one is revoked with the reason {@code leaked: <url>} by the actor {@value #ACTOR}, which the
 * key manager audits, or, with {@link Builder#alertOnly}, left alone with a {@code leak-reported} audit event and
 * a warning. The answer is GitHub's feedback array {@code [{token_hash, token_type, label}]}; the token itself is
 * never logged or answered.
 */
public final class GitHubSecretScanningServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    public static final String ACTOR = "github-secret-scanning";
    public static final String KEY_ID_HEADER = "Github-Public-Key-Identifier", SIGNATURE_HEADER = "Github-Public-Key-Signature";
    private static final int MAX_BODY_BYTES = 1 << 20;

    private final transient Keys keys;
    private final transient KeyHasher hasher;
    private final transient GitHubKeyList githubKeys;
    private final transient Optional<AuditSink> audit;
    private final boolean alertOnly;

    private GitHubSecretScanningServlet(Builder b) {
        this.keys = b.keys;
        this.hasher = b.hasher;
        this.githubKeys = new GitHubKeyList(b.file, b.url, b.cacheFor, b.keys.clock());
        this.audit = b.audit;
        this.alertOnly = b.alertOnly;
    }

    public static Builder builder(Keys keys) {
        return new Builder(Objects.requireNonNull(keys, "keys"));
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        if (!req.getMethod().equals("POST")) {
            res.setHeader("Allow", "POST");
            Problem.send(req, res, 405, Problem.METHOD_NOT_ALLOWED, "Method not allowed", req.getMethod() + " is not allowed here; use POST");
            return;
        }
        byte[] body = req.getInputStream().readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
            Problem.send(req, res, 413, Problem.PAYLOAD_TOO_LARGE, "Payload too large", "the body is larger than " + MAX_BODY_BYTES + " bytes");
            return;
        }
        String id = req.getHeader(KEY_ID_HEADER), signature = req.getHeader(SIGNATURE_HEADER);
        try {
            if (id == null || signature == null || !githubKeys.verifies(id, signature, body)) {
                Problem.send(req, res, 401, "INVALID_SIGNATURE", "Unauthorized", "the body is not signed by a GitHub secret-scanning key");
                return;
            }
        } catch (IOException e) {
            ApiKeyFilter.LOG.log(System.Logger.Level.WARNING, "GitHub secret-scanning keys cannot be read: " + e.getMessage());
            res.setHeader("Retry-After", "60");
            Problem.send(req, res, 503, "KEYS_UNAVAILABLE", "Service unavailable", "GitHub's public keys cannot be read");
            return;
        }
        JsonNode matches;
        try {
            matches = AdminCall.JSON.readTree(body);
        } catch (IOException e) {
            matches = null;
        }
        if (matches == null || !matches.isArray()) {
            Problem.send(req, res, 400, Problem.INVALID_REQUEST, "Invalid request", "the body must be a JSON array of {token, type, url, source}");
            return;
        }
        ArrayNode feedback = AdminViews.NODES.arrayNode();
        try {
            for (JsonNode m : matches) {
                String token = m.path("token").asText("");
                boolean ours = answer(token, m.path("url").asText(""));
                feedback.addObject().put("token_hash", sha256Hex(token)).put("token_type", m.path("type").asText(""))
                        .put("label", ours ? "true_positive" : "false_positive");
            }
        } catch (StoreException e) {
            res.setHeader("Retry-After", "5");
            Problem.send(req, res, 503, "STORE_UNAVAILABLE", "Service unavailable", "the key store is unavailable");
            return;
        }
        byte[] out = AdminCall.JSON.writeValueAsBytes(feedback);
        res.setStatus(200);
        res.setContentType("application/json");
        res.setContentLength(out.length);
        try (OutputStream o = res.getOutputStream()) {
            o.write(out);
        }
    }

    /** True when {@code token} is a key of this service; a live one is revoked or reported. */
    private boolean answer(String token, String url) {
        boolean shaped = KeyFormat.isWellFormed(token)
                || (token.length() >= KeyFormat.MIN_IMPORTED_LENGTH && token.length() <= KeyFormat.MAX_IMPORTED_LENGTH);
        if (!shaped) return false;
        Optional<ApiKey> found = keys.store().findByDigest(hasher.digest(token));
        if (found.isEmpty()) return false;
        ApiKey k = found.get();
        if (k.status() == KeyStatus.REVOKED) return true;
        String reason = ("leaked: " + url).length() > 500 ? ("leaked: " + url).substring(0, 500) : "leaked: " + url;
        if (alertOnly) {
            audit.ifPresent(a -> a.record(new AuditEvent(keys.clock().instant(), "leak-reported", ACTOR, k.tenant(), k.id(), Optional.of(reason), Map.of())));
            ApiKeyFilter.LOG.log(System.Logger.Level.WARNING, "GitHub reported key " + k.id() + " as leaked (" + reason + "); not revoked (alert only)");
        } else {
            try {
                keys.manager().revoke(k.id(), Actor.system(ACTOR), Optional.of(reason));
            } catch (IllegalStateException e) {
                return true; // revoked meanwhile
            }
            ApiKeyFilter.LOG.log(System.Logger.Level.WARNING, "GitHub reported key " + k.id() + " as leaked; revoked (" + reason + ")");
        }
        return true;
    }

    static String sha256Hex(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Configuration of a {@link GitHubSecretScanningServlet}: where GitHub's keys come from, and what a leak does. */
    public static final class Builder {
        private final Keys keys;
        private KeyHasher hasher = KeyHasher.sha256();
        private Optional<Path> file = Optional.empty();
        private Optional<URI> url = Optional.empty();
        private Duration cacheFor = Duration.ofHours(1);
        private Optional<AuditSink> audit = Optional.empty();
        private boolean alertOnly;

        private Builder(Keys keys) {
            this.keys = keys;
        }

        /** GitHub's key list in a file (its format: {@code {"public_keys":[...]}}), read again every {@link #cacheFor}. */
        public Builder publicKeysFile(Path f) { file = Optional.of(f); url = Optional.empty(); return this; }

        /** GitHub's key list fetched from this URL, such as {@code https://api.github.com/meta/public_keys/secret_scanning}. */
        public Builder publicKeysUrl(URI u) { url = Optional.of(u); file = Optional.empty(); return this; }

        /** How long a read key list serves before it is read again. Default 1 hour. */
        public Builder cacheFor(Duration d) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("cacheFor must be positive");
            cacheFor = d;
            return this;
        }

        /** The hasher of the {@code Keys} (the same pepper), to find a token by digest. Default SHA-256. */
        public Builder hasher(KeyHasher h) { hasher = Objects.requireNonNull(h); return this; }

        /** Where alert-only reports are audited; revocations are audited by the key manager. */
        public Builder auditLog(AuditSink a) { audit = Optional.of(a); return this; }

        /** Only report leaks (audit and a warning), never revoke. Default off: live keys are revoked. */
        public Builder alertOnly(boolean on) { alertOnly = on; return this; }

        public GitHubSecretScanningServlet build() {
            if (file.isEmpty() && url.isEmpty()) throw new IllegalStateException("give publicKeysFile or publicKeysUrl");
            return new GitHubSecretScanningServlet(this);
        }
    }
}
