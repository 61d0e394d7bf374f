package dev.keys.core.ops;

import dev.keys.core.JsonText;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Posts each alert as JSON to a URL, on its own thread, signed so that the receiver can tell it came from here:
 * header {@code X-Keys-Signature: sha256=<hex HMAC-SHA256 of the body bytes with the shared secret>}. The body:
 * <pre>{@code
 * {"id":"<uuid>","rule":"rate-limited","keyId":"key_...","tenant":"acme","client":null,
 *  "windowStart":"2026-05-01T10:00:00Z","windowEnd":"2026-05-01T10:05:00Z","count":101,
 *  "message":"...","sentAt":"2026-05-01T10:03:12.123Z"}
 * }</pre>
 * {@code id} stays the same across retries, so receivers can drop duplicates. Each attempt has a timeout; a
 * connection failure, a 429 or a 5xx is retried up to {@code maxAttempts} in all, waiting {@code backoff},
 * then twice that, ...; any other answer ends the delivery. Alerts wait in a bounded queue: when it is full they
 * are dropped and counted ({@link #dropped()}), never blocking the evaluator.
 */
public final class WebhookAlertSink implements AlertListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WebhookAlertSink.class.getName());
    public static final String SIGNATURE_HEADER = "X-Keys-Signature";

    private final URI url;
    private final SecretKeySpec secret;
    private final HttpClient client;
    private final Duration timeout, backoff;
    private final int maxAttempts;
    private final BlockingQueue<Alert> queue;
    private final LongAdder delivered = new LongAdder(), failed = new LongAdder(), dropped = new LongAdder();
    private final Thread worker;
    private volatile boolean closed;

    private WebhookAlertSink(Builder b) {
        this.url = b.url;
        this.secret = new SecretKeySpec(b.secret, "HmacSHA256");
        this.timeout = b.timeout;
        this.backoff = b.backoff;
        this.maxAttempts = b.maxAttempts;
        this.client = b.client != null ? b.client : HttpClient.newBuilder().connectTimeout(b.timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
        this.worker = new Thread(this::run, "keys-alert-webhook");
        worker.setDaemon(true);
        worker.start();
    }

    /** @param secret the shared HMAC key, at least 16 bytes; copied */
    public static Builder builder(URI url, byte[] secret) {
        return new Builder(url, secret);
    }

    @Override
    public void onAlert(Alert alert) {
        if (closed || !queue.offer(alert)) dropped.increment();
    }

    public long delivered() { return delivered.sum(); }

    /** Alerts given up on after every attempt failed. */
    public long failed() { return failed.sum(); }

    /** Alerts dropped because the queue was full or the sink closed. */
    public long dropped() { return dropped.sum(); }

    private void run() {
        while (!closed || !queue.isEmpty()) {
            Alert a;
            try {
                a = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (a == null) continue;
            try {
                send(a);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                failed.increment();
                LOG.log(System.Logger.Level.WARNING, "alert webhook failed for rule {0}: {1}", a.rule(), e.toString());
            }
        }
    }

    private void send(Alert a) throws InterruptedException {
        byte[] body = json(a, UUID.randomUUID().toString(), Instant.now()).getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .header(SIGNATURE_HEADER, "sha256=" + sign(body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long wait = backoff.toMillis();
        String last = "";
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            try {
                int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status >= 200 && status < 300) {
                    delivered.increment();
                    return;
                }
                last = "HTTP " + status;
                if (status != 429 && status < 500) break;
            } catch (IOException e) {
                last = e.getClass().getSimpleName();
            }
            if (attempt < maxAttempts && wait > 0) {
                Thread.sleep(wait);
                wait *= 2;
            }
        }
        failed.increment();
        LOG.log(System.Logger.Level.WARNING, "alert webhook gave up on rule {0} after {1}", a.rule(), last);
    }

    String sign(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(secret);
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    static String json(Alert a, String id, Instant sentAt) {
        StringBuilder sb = new StringBuilder(256).append('{');
        field(sb, "id", Optional.of(id)).append(',');
        field(sb, "rule", Optional.of(a.rule())).append(',');
        field(sb, "keyId", a.keyId()).append(',');
        field(sb, "tenant", a.tenant()).append(',');
        field(sb, "client", a.client()).append(',');
        field(sb, "windowStart", Optional.of(a.windowStart().toString())).append(',');
        field(sb, "windowEnd", Optional.of(a.windowEnd().toString())).append(',');
        sb.append("\"count\":").append(a.count()).append(',');
        field(sb, "message", Optional.of(a.message())).append(',');
        field(sb, "sentAt", Optional.of(sentAt.toString()));
        return sb.append('}').toString();
    }

    private static StringBuilder field(StringBuilder sb, String name, Optional<String> value) {
        sb.append('"').append(name).append("\":");
        return value.isEmpty() ? sb.append("null") : JsonText.appendString(sb, value.get());
    }

    /** Sends what is queued (waiting at most {@code timeout} per attempt), then stops. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            worker.join(timeout.multipliedBy(maxAttempts).plus(backoff.multipliedBy(1L << Math.min(maxAttempts, 10))).toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) worker.interrupt();
    }

    /** Configuration of a {@link WebhookAlertSink}. */
    public static final class Builder {
        private final URI url;
        private final byte[] secret;
        private Duration timeout = Duration.ofSeconds(5), backoff = Duration.ofMillis(500);
        private int maxAttempts = 3, queueCapacity = 1000;
        private HttpClient client;

        private Builder(URI url, byte[] secret) {
            this.url = Objects.requireNonNull(url, "url");
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http")) throw new IllegalArgumentException("the webhook URL must be http or https");
            if (secret.length < 16) throw new IllegalArgumentException("the webhook secret must be at least 16 bytes");
            this.secret = secret.clone();
        }

        /** Connect and request timeout of each attempt. Default 5 s. */
        public Builder timeout(Duration d) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("timeout must be positive");
            timeout = d;
            return this;
        }

        /** Attempts per alert, the first included. Default 3. */
        public Builder maxAttempts(int n) {
            if (n < 1 || n > 10) throw new IllegalArgumentException("maxAttempts must be 1 to 10");
            maxAttempts = n;
            return this;
        }

        /** Wait before the second attempt, doubled after each. Default 500 ms. */
        public Builder backoff(Duration d) {
            if (d.isNegative()) throw new IllegalArgumentException("backoff must not be negative");
            backoff = d;
            return this;
        }

        /** Alerts waiting to be sent; more are dropped. Default 1000. */
        public Builder queueCapacity(int n) {
            if (n < 1) throw new IllegalArgumentException("queueCapacity must be positive");
            queueCapacity = n;
            return this;
        }

        /** Default: a client with the connect timeout, no redirects. */
        public Builder httpClient(HttpClient c) { client = Objects.requireNonNull(c); return this; }

        public WebhookAlertSink build() {
            return new WebhookAlertSink(this);
        }
    }
}
