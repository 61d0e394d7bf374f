package dev.keys.servlet.harness;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A JDK {@link HttpClient} whose every answer with a text body is checked against the OpenAPI document
 * ({@link OpenApiContract}) as it is received, so that a test class checks all its exchanges by making its client
 * with {@link OpenApiContract#checking(HttpClient, OpenApiContract.Mounts)}.
 */
final class CheckedHttpClient extends HttpClient {
    private final HttpClient delegate;
    private final OpenApiContract.Mounts mounts;

    CheckedHttpClient(HttpClient delegate, OpenApiContract.Mounts mounts) {
        this.delegate = delegate;
        this.mounts = mounts;
    }

    @SuppressWarnings("unchecked")
    private <T> HttpResponse<T> checked(HttpResponse<T> r) {
        if (r.body() == null || r.body() instanceof String) OpenApiContract.get().check(mounts, (HttpResponse<String>) r);
        return r;
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        return checked(delegate.send(request, handler));
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return delegate.sendAsync(request, handler).thenApply(this::checked);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                                            HttpResponse.PushPromiseHandler<T> push) {
        return delegate.sendAsync(request, handler, push).thenApply(this::checked);
    }

    @Override public Optional<CookieHandler> cookieHandler() { return delegate.cookieHandler(); }
    @Override public Optional<Duration> connectTimeout() { return delegate.connectTimeout(); }
    @Override public Redirect followRedirects() { return delegate.followRedirects(); }
    @Override public Optional<ProxySelector> proxy() { return delegate.proxy(); }
    @Override public SSLContext sslContext() { return delegate.sslContext(); }
    @Override public SSLParameters sslParameters() { return delegate.sslParameters(); }
    @Override public Optional<Authenticator> authenticator() { return delegate.authenticator(); }
    @Override public Version version() { return delegate.version(); }
    @Override public Optional<Executor> executor() { return delegate.executor(); }
}
