package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keys.api.Clock;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * GitHub's secret-scanning public keys, in its key-list format {@code {"public_keys":[{"key_identifier", "key"
 * (PEM), "is_current"}]}}, read from a file or fetched from a URL, kept for a while and read again after it; an
 * identifier not in the list reads it again early, at most once a minute, so that a key GitHub just added is
 * found and a flood of made-up identifiers costs nothing. If reading fails, the keys already held go on serving.
 */
final class GitHubKeyList {
    private static final long MIN_REFRESH_NANOS = Duration.ofMinutes(1).toNanos();
    private final Optional<Path> file;
    private final Optional<URI> url;
    private final long ttlNanos;
    private final Clock clock;
    private final HttpClient http;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Long.MIN_VALUE);

    private record Snapshot(Map<String, PublicKey> keys, long readAt) {
    }

    GitHubKeyList(Optional<Path> file, Optional<URI> url, Duration ttl, Clock clock) {
        this.file = file;
        this.url = url;
        this.ttlNanos = ttl.toNanos();
        this.clock = clock;
        this.http = url.isPresent() ? HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build() : null;
    }

    /** True when {@code signatureB64} (base64 DER) is a signature of {@code body} by the key {@code id}. */
    boolean verifies(String id, String signatureB64, byte[] body) throws IOException {
        Optional<PublicKey> key = key(id);
        if (key.isEmpty()) return false;
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(key.get());
            s.update(body);
            return s.verify(Base64.getDecoder().decode(signatureB64.strip()));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
    }

    private Optional<PublicKey> key(String id) throws IOException {
        long now = clock.nanos();
        Snapshot s = snapshot;
        boolean stale = s.readAt == Long.MIN_VALUE || now - s.readAt >= ttlNanos;
        boolean unknown = !s.keys.containsKey(id) && now - s.readAt >= MIN_REFRESH_NANOS;
        if (stale || unknown) s = reload(now, s);
        return Optional.ofNullable(s.keys.get(id));
    }

    private synchronized Snapshot reload(long now, Snapshot seen) throws IOException {
        if (snapshot != seen) return snapshot;
        try {
            snapshot = new Snapshot(parse(AdminCall.JSON.readTree(read())), now);
        } catch (IOException e) {
            if (seen.keys.isEmpty()) throw e;
            // Keep serving with the keys already held; try again after the shortest interval.
            snapshot = new Snapshot(seen.keys, now - Math.max(0, ttlNanos - MIN_REFRESH_NANOS));
            ApiKeyFilter.LOG.log(System.Logger.Level.WARNING, "GitHub secret-scanning keys could not be read again: " + e.getMessage());
        }
        return snapshot;
    }

    private byte[] read() throws IOException {
        if (file.isPresent()) return Files.readAllBytes(file.get());
        HttpRequest r = HttpRequest.newBuilder(url.orElseThrow()).timeout(Duration.ofSeconds(10)).header("Accept", "application/json").GET().build();
        try {
            HttpResponse<byte[]> res = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
            if (res.statusCode() != 200) throw new IOException(url.get() + " answered " + res.statusCode());
            return res.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The list's keys by identifier; only EC P-256 keys, as GitHub signs with ECDSA P-256 SHA-256. */
    static Map<String, PublicKey> parse(JsonNode list) throws IOException {
        JsonNode keys = list.path("public_keys");
        if (!keys.isArray()) throw new IOException("not a GitHub key list: no public_keys array");
        Map<String, PublicKey> out = new HashMap<>();
        for (JsonNode k : keys) {
            String id = k.path("key_identifier").asText(""), pem = k.path("key").asText("");
            if (id.isEmpty() || pem.isEmpty()) throw new IOException("a public key without key_identifier or key");
            out.put(id, publicKey(pem));
        }
        return Map.copyOf(out);
    }

    private static PublicKey publicKey(String pem) throws IOException {
        String b64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        try {
            PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(b64)));
            if (!(key instanceof ECPublicKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new IOException("not an EC P-256 public key");
            }
            return key;
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IOException("not a PEM public key: " + e.getMessage());
        }
    }
}
