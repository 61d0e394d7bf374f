package dev.keys.core.ops;

import dev.keys.api.Background;
import dev.keys.core.internal.JsonText;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Posts each alert as JSON to a URL, signed so that the receiver can tell it came from here: header
 * {@code X-Keys-Signature: sha256=<hex HMAC-SHA256 of the body bytes with the shared secret>}. The body:
 * <pre>{@code
 * {"id":"<uuid>","rule":"rate-limited","kind":"key-outcomes","keyId":"key_...","tenant":"acme","ownerId":null,
 *  "client":null,"windowStart":"2026-05-01T10:00:00Z","windowEnd":"2026-05-01T10:05:00Z","count":101,
 *  "threshold":100,"value":101,"message":"...","sentAt":"2026-05-01T10:03:12.123Z"}
 * }</pre>
 * {@code id} stays the same across retries, so receivers can drop duplicates. Each attempt has a timeout; a
 * connection failure, a 429 or a 5xx is retried up to {@code maxAttempts} in all, waiting {@code backoff},
 * then twice that, ...; any other answer ends the delivery. Alerts wait in a bounded queue: when it is full they
 * are dropped and counted ({@link #dropped()}), never blocking the evaluator.
 *
 * <p>Threads. Deliveries run on the scheduler the sink is {@link #start started} on (an {@link AlertingUsageSink}
 * starts its listener on its own), one alert at a time, in order: a task takes the next alert and sends it with
 * {@link HttpClient#sendAsync}, so that the shared scheduler thread never waits on the network; the answer arrives
 * on the HTTP client's threads, which only count it and schedule what follows: the retry after its backoff
 * ({@code schedule(task, delay)}) or the next alert. Nothing waits by sleeping.
 */
public final class WebhookAlertSink implements AlertListener, Background, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WebhookAlertSink.class.getName());
    public static final String SIGNATURE_HEADER = "X-Keys-Signature";

    private final URI url;
    private final SecretKeySpec secret;
    private final HttpClient client;
    private final Duration timeout, backoff;
    private final int maxAttempts;
    private final BlockingQueue<Alert> queue;
    private final LongAdder delivered = new LongAdder(), failed = new LongAdder(), dropped = new LongAdder();
    /** True from taking an alert until its delivery has ended (or from submitting the task that takes one). */
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile ScheduledExecutorService scheduler;
    private volatile boolean closed, warnedNotStarted;

    private record Delivery(Alert alert, HttpRequest request) {
    }

    private WebhookAlertSink(Builder b) {
        this.url = b.url;
        this.secret = new SecretKeySpec(b.secret, "HmacSHA256");
        this.timeout = b.timeout;
        this.backoff = b.backoff;
        this.maxAttempts = b.maxAttempts;
        this.client = b.client != null ? b.client : HttpClient.newBuilder().connectTimeout(b.timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
    }

    /** @param secret the shared HMAC key, at least 16 bytes; copied */
    public static Builder builder(URI url, byte[] secret) {
        return new Builder(url, secret);
    }

    /** Delivers on {@code scheduler} from now on, alerts queued before first. The first call only. */
    @Override
    public void start(ScheduledExecutorService scheduler) {
        synchronized (this) {
            if (this.scheduler != null || closed) return;
            this.scheduler = scheduler;
        }
        next();
    }

    @Override
    public void onAlert(Alert alert) {
        if (!closed && queue.offer(alert)) {
            next();
            return;
        }
        dropped.increment();
        if (!closed && scheduler == null && !warnedNotStarted) {
            warnedNotStarted = true;
            LOG.log(System.Logger.Level.WARNING, "alert webhook queue full and nothing sends it: start the sink, e.g. start(keys.scheduler())");
        }
    }

    public long delivered() { return delivered.sum(); }

    /** Alerts given up on after every attempt failed. */
    public long failed() { return failed.sum(); }

    /** Alerts dropped because the queue was full or the sink closed. */
    public long dropped() { return dropped.sum(); }

    /** Unless a delivery is under way, submits a task that takes the next alert. */
    private void next() {
        ScheduledExecutorService s = scheduler;
        if (s == null || queue.isEmpty() || !busy.compareAndSet(false, true)) return;
        if (!run(s, 0, this::takeNext)) release(); // shut down: close() takes over what is queued
    }

    /** On the scheduler. */
    private void takeNext() {
        Alert a = queue.poll();
        if (a == null) {
            release();
            next(); // an alert offered since the poll found busy set and left it to us
            return;
        }
        Delivery d;
        try {
            d = delivery(a);
        } catch (RuntimeException e) {
            giveUp(a, e.toString());
            afterDelivery();
            return;
        }
        attempt(d, 1, backoff.toMillis());
    }

    private void release() {
        busy.set(false);
        synchronized (this) {
            notifyAll();
        }
    }

    private void attempt(Delivery d, int attempt, long waitMillis) {
        CompletableFuture<HttpResponse<Void>> answer;
        try {
            answer = client.sendAsync(d.request(), HttpResponse.BodyHandlers.discarding());
        } catch (RuntimeException e) {
            giveUp(d.alert(), e.toString());
            afterDelivery();
            return;
        }
        answer.whenComplete((response, error) -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause == null && ok(response.statusCode())) {
                delivered.increment();
                afterDelivery();
                return;
            }
            String last = cause == null ? "HTTP " + response.statusCode() : cause.getClass().getSimpleName();
            boolean retry = cause == null ? retryable(response.statusCode()) : cause instanceof IOException;
            if (retry && attempt < maxAttempts && run(scheduler, waitMillis, () -> attempt(d, attempt + 1, waitMillis * 2))) return;
            giveUp(d.alert(), last);
            afterDelivery();
        });
    }

    /** On the HTTP client's thread: the next alert is taken on the scheduler, not here. */
    private void afterDelivery() {
        if (!run(scheduler, 0, this::takeNext)) release();
    }

    /** Runs {@code task} on {@code s} after {@code delayMillis}; false when the scheduler no longer takes tasks. */
    private static boolean run(ScheduledExecutorService s, long delayMillis, Runnable task) {
        try {
            s.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    private static boolean ok(int status) {
        return status >= 200 && status < 300;
    }

    private static boolean retryable(int status) {
        return status == 429 || status >= 500;
    }

    private void giveUp(Alert a, String last) {
        failed.increment();
        LOG.log(System.Logger.Level.WARNING, "alert webhook gave up on rule {0} after {1}", a.rule(), last);
    }

    private Delivery delivery(Alert a) {
        byte[] body = json(a, UUID.randomUUID().toString(), Instant.now()).getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .header(SIGNATURE_HEADER, "sha256=" + sign(body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return new Delivery(a, request);
    }

    /**
     * Without a running scheduler (never started, or shut down before this sink was closed): the attempts of one
     * alert from the calling thread, back to back, since there is nothing to wait for a backoff with.
     */
    private void sendNow(Delivery d) throws InterruptedException {
        String last = "";
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            try {
                int status = client.send(d.request(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (ok(status)) {
                    delivered.increment();
                    return;
                }
                last = "HTTP " + status;
                if (!retryable(status)) break;
            } catch (IOException e) {
                last = e.getClass().getSimpleName();
            } catch (RuntimeException e) {
                last = e.toString();
                break;
            }
        }
        giveUp(d.alert(), last);
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
        field(sb, "kind", Optional.of(a.kind())).append(',');
        field(sb, "keyId", a.keyId()).append(',');
        field(sb, "tenant", a.tenant()).append(',');
        field(sb, "ownerId", a.ownerId()).append(',');
        field(sb, "client", a.client()).append(',');
        field(sb, "windowStart", Optional.of(a.windowStart().toString())).append(',');
        field(sb, "windowEnd", Optional.of(a.windowEnd().toString())).append(',');
        sb.append("\"count\":").append(a.count()).append(',');
        sb.append("\"threshold\":").append(a.threshold()).append(',');
        sb.append("\"value\":").append(a.value()).append(',');
        field(sb, "message", Optional.of(a.message())).append(',');
        field(sb, "sentAt", Optional.of(sentAt.toString()));
        return sb.append('}').toString();
    }

    private static StringBuilder field(StringBuilder sb, String name, Optional<String> value) {
        sb.append('"').append(name).append("\":");
        return value.isEmpty() ? sb.append("null") : JsonText.appendString(sb, value.get());
    }

    /**
     * Sends what is queued, then stops: waits for the scheduler to deliver it (at most {@code timeout} per attempt
     * plus the backoffs), or, when no scheduler runs, sends it from the calling thread. Alerts still queued after
     * that are counted as dropped. The scheduler is not shut down: it is not this sink's.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        long deadline = System.nanoTime() + timeout.multipliedBy(maxAttempts).plus(backoff.multipliedBy(1L << Math.min(maxAttempts, 10))).toNanos()
                + TimeUnit.SECONDS.toNanos(1);
        ScheduledExecutorService s = scheduler;
        try {
            if (s != null && !s.isShutdown()) {
                synchronized (this) {
                    while ((busy.get() || !queue.isEmpty()) && !s.isShutdown() && System.nanoTime() < deadline) {
                        TimeUnit.NANOSECONDS.timedWait(this, Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(100)));
                    }
                }
            }
            // A shut-down scheduler no longer takes what follows a delivery: take over from here.
            Alert a;
            while ((s == null || s.isShutdown()) && System.nanoTime() < deadline && (a = queue.poll()) != null) sendNow(delivery(a));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = queue.size();
        queue.clear();
        if (left > 0) {
            dropped.add(left);
            LOG.log(System.Logger.Level.WARNING, "alert webhook closed with {0} alerts unsent", left);
        }
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
