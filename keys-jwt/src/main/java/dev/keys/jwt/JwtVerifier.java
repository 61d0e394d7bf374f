package dev.keys.jwt;

import com.github.benmanes.caffeine.cache.Cache;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.keys.api.ApiKey;
import dev.keys.api.ClientStore;
import dev.keys.api.Clock;
import dev.keys.api.Digest;
import dev.keys.api.Environment;
import dev.keys.api.Outcome;
import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitReport;
import dev.keys.api.RequestContext;
import dev.keys.api.Verification;
import dev.keys.core.authz.Decision;
import dev.keys.core.authz.KeyAuthz;
import dev.keys.core.authz.Requirement;
import dev.keys.core.authz.Roles;
import dev.keys.core.hash.KeyHasher;
import dev.keys.core.limit.LimiterFactory;
import dev.keys.core.verify.CredentialVerifier;

import java.net.URI;
import java.net.URL;
import java.text.ParseException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Verifies bearer JWTs (RFC 7519, compact JWS) and maps their claims onto the same verified view as an API key, so
 * that the authorization of {@link KeyAuthz} (routes, permission queries, ABAC conditions) applies unchanged.
 *
 * <p>Design. Security defaults follow RFC 8725; the checks run in the order of docs/jwt.md, one part each, and each
 * hands the next a {@code Checked} value or ends with a denial. Everything the text alone decides comes first, with
 * no key lookup and no network call: size, segments, canonical base64url and JSON depth ({@code Compact}), then
 * what the header may say ({@code HeaderPolicy}: an algorithm allow-list, no {@code none}, no embedded key or key
 * URL, no {@code crit}, the {@code typ}). Only then is a key selected by {@code kid} ({@code KeySelector}, from the
 * source {@code JwksSources} builds), each key for the one algorithm it names, and the signature checked
 * ({@code Signatures}). Last, the claims are checked and mapped onto the synthesised key ({@code ClaimsMapping}).
 *
 * <p>Cost. A token verified once is cached by the SHA-256 of its text ({@code VerifiedToken}: Caffeine, bounded,
 * each entry until the token's expiry), so that a repeated token costs one pass over the text, one hash, one
 * lookup, the expiry and revocation checks, with {@link Builder#clients} its client's status (one cache lookup;
 * {@code ClientStatus}), the authorization and, with {@link Builder#limits}, its subject's buckets
 * ({@code SubjectLimits}), like a cached API key; the signature is checked once per token.
 *
 * <p>Outcomes (docs/contract.md §3): everything about the token's shape, signature, key, issuer, audience or
 * validity window is {@code MALFORMED} with a safe detail; past {@code exp} is {@code EXPIRED}; a revoked
 * {@code jti} {@code REVOKED}, and so is a token of a revoked, disabled or unknown client (with
 * {@link Builder#clients}); a key set, or a client's status, that cannot be read with no usable cached copy
 * {@code STORE_UNAVAILABLE}. Details never hold the token or any part of it. Thread-safe; nothing here logs.
 */
public final class JwtVerifier implements CredentialVerifier {
    // Every denial, in the order the checks run (docs/jwt.md, "What is rejected").
    static final Verification.Denied MISSING = new Verification.Denied(Outcome.MISSING, "no credential was sent");
    static final Verification.Denied TOO_LARGE = malformed("token too large");
    static final Verification.Denied JWE = malformed("token is encrypted (JWE); a signed token (JWS) is expected");
    static final Verification.Denied NOT_JWS = malformed("token is not a compact JWS");
    static final Verification.Denied ENCODING = malformed("token is not canonical base64url");
    static final Verification.Denied HEADER = malformed("token header invalid");
    static final Verification.Denied NESTED = malformed("token JSON is nested too deeply");
    static final Verification.Denied ALGORITHM = malformed("token algorithm not accepted");
    static final Verification.Denied EMBEDDED_KEY = malformed("token header carries a key, which is not accepted");
    static final Verification.Denied KEY_URL = malformed("token header key URL not accepted");
    static final Verification.Denied CRITICAL = malformed("token header has critical parameters that are not understood");
    static final Verification.Denied TYPE = malformed("token type not accepted");
    static final Verification.Denied UNKNOWN_KEY = malformed("token signing key unknown");
    static final Verification.Denied KEYS_UNAVAILABLE = new Verification.Denied(Outcome.STORE_UNAVAILABLE, "token signing keys unavailable");
    static final Verification.Denied AMBIGUOUS_KEY = malformed("token signing key ambiguous");
    static final Verification.Denied SIGNATURE = malformed("token signature invalid");
    static final Verification.Denied CLAIMS = malformed("token claims invalid");
    static final Verification.Denied ISSUER = malformed("token issuer not accepted");
    static final Verification.Denied AUDIENCE = malformed("token audience not accepted");
    static final Verification.Denied NO_EXPIRY = malformed("token has no expiry");
    static final Verification.Denied EXPIRED = new Verification.Denied(Outcome.EXPIRED, "token expired");
    static final Verification.Denied NOT_YET_VALID = malformed("token not yet valid");
    static final Verification.Denied ISSUED_IN_FUTURE = malformed("token issued in the future");
    static final Verification.Denied NO_SUBJECT = malformed("token has no subject");
    static final Verification.Denied REVOKED = new Verification.Denied(Outcome.REVOKED, "token revoked");

    /** Algorithms this verifier can check at all; the configured allow-list is a subset. */
    static final Map<String, JWSAlgorithm> SUPPORTED;

    static {
        Map<String, JWSAlgorithm> m = new LinkedHashMap<>();
        for (JWSAlgorithm a : List.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512, JWSAlgorithm.RS256,
                JWSAlgorithm.RS384, JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
                JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519)) {
            m.put(a.getName(), a);
        }
        SUPPORTED = Map.copyOf(m);
    }

    private final int maxTokenLength;
    private final int maxJsonDepth;
    private final HeaderPolicy header;
    private final KeySelector keys;
    private final Signatures signatures = new Signatures();
    private final ClaimsMapping claims;
    private final Predicate<String> revoked;
    private final Optional<SubjectLimits> limits;
    private final Optional<ClientStatus> clients;
    private final Clock clock;
    private final KeyHasher hasher = KeyHasher.sha256();
    private final Cache<Digest, VerifiedToken> cache;

    private JwtVerifier(Builder b) {
        this.maxTokenLength = b.maxTokenLength;
        this.maxJsonDepth = b.maxJsonDepth;
        this.header = new HeaderPolicy(b);
        this.keys = new KeySelector(JwksSources.of(b));
        Optional<JtiDenyList> denyList = b.denyList;
        this.revoked = jti -> denyList.isPresent() && denyList.get().isRevoked(jti);
        this.claims = new ClaimsMapping(b, revoked);
        this.limits = SubjectLimits.of(b);
        this.clock = b.clock;
        this.clients = ClientStatus.of(b);
        this.cache = VerifiedToken.cache(b.cacheSize, clock);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder for the tokens of this process's own issuer: keys read live from {@code signingKeys} (so rotation
     * takes effect at once), its algorithm only, {@code typ} {@code at+jwt} required.
     */
    public static Builder builderForIssuer(SigningKeys signingKeys, String issuer, String audience) {
        Objects.requireNonNull(signingKeys, "signingKeys");
        return new Builder()
                .jwkSource(JwksSources.live(signingKeys::publicJwkSet))
                .algorithms(signingKeys.algorithm().jwsName())
                .issuer(issuer)
                .audience(audience)
                .requiredType("at+jwt");
    }

    /** A verifier of this process's own tokens; see {@link #builderForIssuer}. */
    public static JwtVerifier forIssuer(SigningKeys signingKeys, String issuer, String audience, Clock clock) {
        return builderForIssuer(signingKeys, issuer, audience).clock(clock).build();
    }

    /**
     * Whether a bearer credential has the shape of a JWT: starts with {@code eyJ} (base64url of <code>{"</code>)
     * and is three base64url segments separated by dots. Cheap (one pass, no allocation, no decoding), so that a
     * filter can send JWTs here and everything else to the key verifier. API keys never match: they contain no dot.
     */
    public static boolean looksLikeJwt(CharSequence credential) {
        return Compact.looksLikeJwt(credential);
    }

    /** A JWT-shaped credential ({@link #looksLikeJwt}) is this verifier's. */
    @Override
    public boolean accepts(CharSequence credential) {
        return Compact.looksLikeJwt(credential);
    }

    /** What a request admitted with a token answers to {@code getAuthType()}. */
    @Override
    public String authType(CharSequence credential) {
        return "JWT";
    }

    /** Verifies a token with no request context and no requirement: authentication only. */
    @Override
    public Verification verify(CharSequence token) {
        return verify(token, RequestContext.NONE, Requirement.NONE);
    }

    /**
     * Verifies a bearer token for a request that must meet {@code requirement}. On success the
     * {@link Verification.Valid} carries the synthesised key ({@link ApiKey#id()} {@code jwt:<jti or sub>}) and the
     * state of the subject's rate limits ({@link RateLimitReport#NONE} without {@link Builder#limits}). With limits,
     * an authorised request takes {@code ctx.cost()} tokens from its subject's buckets or is denied
     * {@code RATE_LIMITED}; a request denied before (401, 403) takes nothing.
     */
    @Override
    public Verification verify(CharSequence token, RequestContext ctx, Requirement requirement) {
        Optional<Verification.Denied> refusal = Compact.refusal(token, maxTokenLength);
        if (refusal.isPresent()) return refusal.get();
        String text = token.toString();
        Digest digest = hasher.digest(text);
        long now = clock.nanos();
        VerifiedToken cached = cache.getIfPresent(digest);
        if (cached != null) return decide(cached, ctx, requirement, now);
        return verifyToken(text, digest, now).fold(t -> {
            cache.put(digest, t);
            return decide(t, ctx, requirement, now);
        }, denial -> denial);
    }

    /** What a verified token answers for this request, now: expiry, revocation, authorization, then limits. */
    private Verification decide(VerifiedToken t, RequestContext ctx, Requirement requirement, long now) {
        if (now >= t.expiresAtNanos()) return t.expired();
        if (t.jti().filter(revoked).isPresent()) return t.revoked();
        Verification.Denied refused = clients.isPresent() ? clients.get().refusal(t, now) : null;
        if (refused != null) return refused;
        Decision d = t.authz().check(ctx, now, requirement);
        if (d != Decision.ALLOW) return new Verification.Denied(d.outcome(), d.reason(), t.key());
        // Only authorised requests reach the limits, so 401 and 403 never consume.
        return limits.isEmpty() ? t.valid() : limits.get().admit(t, ctx, now);
    }

    /** The checks of a token not cached yet: its JWS to the signature, then its claims. */
    private Checked<VerifiedToken> verifyToken(String text, Digest digest, long now) {
        return checkSignedJws(text).then(payload -> claims.map(payload, digest, now));
    }

    /** The payload of a JWS whose text has passed {@code Compact.refusal}, once its signature verified. */
    private Checked<byte[]> checkSignedJws(String text) {
        return Compact.segments(text, maxJsonDepth).then(s ->
                header.check(s).then(h ->
                        keys.select(h).then(candidates ->
                                signatures.verify(s, h, candidates))));
    }

    /**
     * The {@link Builder#clients} store, for this process's {@code ClientManager}: a client written through it holds
     * for its tokens here from the next request on, without waiting for the refresh interval.
     *
     * @throws IllegalStateException when the verifier was built without {@link Builder#clients}
     */
    public ClientStore clientStore() {
        return clients.map(ClientStatus::watched).orElseThrow(() -> new IllegalStateException("built without clients(ClientStore)"));
    }

    /** Number of verified tokens cached (for metrics). */
    public long cachedTokens() {
        return cache.estimatedSize();
    }

    private static Verification.Denied malformed(String detail) {
        return new Verification.Denied(Outcome.MALFORMED, detail);
    }

    // ---- for WycheproofTest, which runs its vectors through the same path as every token ----

    /** What {@link #checkJws} found: the denial, or null when the JWS verified. */
    record Jws(Verification.Denied denial) {
    }

    /** Checks the compact JWS {@code text} up to and including its signature; no claim is looked at. */
    Jws checkJws(String text) {
        Optional<Verification.Denied> refusal = Compact.refusal(text, maxTokenLength);
        return new Jws(refusal.isPresent() ? refusal.get() : checkSignedJws(text).fold(payload -> null, denial -> denial));
    }

    static boolean usable(JWK key, JWSAlgorithm alg) {
        return KeySelector.usable(key, alg);
    }

    static Optional<JWSVerifier> verifierFor(JWK key) {
        return Signatures.verifierFor(key);
    }

    static boolean verifyWith(JWSVerifier verifier, JWK key, JWSHeader header, byte[] signingInput, byte[] signature) {
        return Signatures.verifyWith(verifier, key, header, signingInput, signature);
    }

    /** Configuration of a {@link JwtVerifier}. {@link #issuer}, {@link #audience} and a key source are required. */
    public static final class Builder {
        // Package-private: each part of the verifier reads its own settings from here.
        final Map<String, JWSAlgorithm> algorithms = new LinkedHashMap<>();
        JWKSet jwkSet;
        URL jwksUrl;
        JWKSource<SecurityContext> jwkSource;
        Duration jwksCacheTtl = Duration.ofMinutes(5), jwksRefreshMinInterval = Duration.ofSeconds(30);
        Duration connectTimeout = Duration.ofSeconds(2), readTimeout = Duration.ofSeconds(2);
        int jwksSizeLimit = 64 * 1024;
        String issuer;
        final Set<String> audiences = new LinkedHashSet<>();
        Optional<String> requiredType = Optional.empty();
        Duration clockSkew = Duration.ofSeconds(60);
        int maxTokenLength = 8 * 1024, maxJsonDepth = 16;
        final Set<String> allowedKeyUrls = new LinkedHashSet<>();
        String tenantClaim = "tenant", defaultTenant = "default";
        Environment environment = Environment.LIVE;
        Roles roles = Roles.EMPTY;
        Optional<JtiDenyList> denyList = Optional.empty();
        Clock clock = Clock.system();
        long cacheSize = 100_000;
        Function<String, List<RateLimit>> limitsBySubject;
        LimiterFactory limiterFactory;
        Duration limitsRefresh = Duration.ofSeconds(30);
        long limitersSize = 100_000;
        ClientStore clients;
        Duration clientsRefresh = Duration.ofSeconds(1), clientsStaleBound = Duration.ZERO;

        private Builder() {
            algorithms.put("ES256", JWSAlgorithm.ES256);
            algorithms.put("RS256", JWSAlgorithm.RS256);
            algorithms.put("EdDSA", JWSAlgorithm.EdDSA);
        }

        /**
         * The accepted algorithms, replacing the default (ES256, RS256, EdDSA). HMAC ({@code HS256}…) must be named
         * here to be accepted at all. {@code none} is refused in any spelling.
         */
        public Builder algorithms(String... names) {
            algorithms.clear();
            for (String n : names) {
                JWSAlgorithm a = SUPPORTED.get(n);
                if (a == null) throw new IllegalArgumentException("unsupported JWS algorithm \"" + n + "\"; supported: " + SUPPORTED.keySet());
                algorithms.put(n, a);
            }
            if (algorithms.isEmpty()) throw new IllegalArgumentException("at least one algorithm must be accepted");
            return this;
        }

        /**
         * A fixed key set. It must hold only public keys (or only HMAC secrets, never both kinds), each naming its
         * {@code alg}.
         */
        public Builder jwks(JWKSet set) {
            jwkSet = JwksSources.requireVerificationSet(set);
            return this;
        }

        /** A fixed key set as JSON (RFC 7517 §5). */
        public Builder jwks(String json) {
            try {
                return jwks(JWKSet.parse(json));
            } catch (ParseException e) {
                throw new IllegalArgumentException("not a JWK set: " + e.getMessage(), e);
            }
        }

        /**
         * Keys fetched from a JWKS URL: {@code https}, or {@code http} to a loopback address only. Cached
         * ({@link #jwksCache}), refetched on an unknown {@code kid} at most once per
         * {@link #jwksRefreshMinInterval} (default 30 s), bounded in size ({@link #jwksSizeLimit}, default 64 KiB)
         * and time ({@link #jwksTimeouts}, default 2 s each).
         */
        public Builder jwksUrl(URL url) {
            jwksUrl = JwksSources.requireSafeUrl(url);
            return this;
        }

        /** Any Nimbus key source (e.g. with failover); the key checks of the verifier still apply. */
        public Builder jwkSource(JWKSource<SecurityContext> source) {
            jwkSource = Objects.requireNonNull(source);
            return this;
        }

        public Builder jwksCache(Duration ttl) { jwksCacheTtl = positive(ttl, "JWKS cache ttl"); return this; }

        public Builder jwksRefreshMinInterval(Duration d) { jwksRefreshMinInterval = positive(d, "JWKS refresh interval"); return this; }

        public Builder jwksSizeLimit(int bytes) {
            if (bytes <= 0) throw new IllegalArgumentException("the JWKS size limit must be positive");
            jwksSizeLimit = bytes;
            return this;
        }

        public Builder jwksTimeouts(Duration connect, Duration read) {
            connectTimeout = positive(connect, "connect timeout");
            readTimeout = positive(read, "read timeout");
            return this;
        }

        /** The one accepted {@code iss}, compared exactly. Required. */
        public Builder issuer(String iss) { issuer = requireText(iss, "issuer"); return this; }

        /** An accepted {@code aud}; a token must name at least one. Required; may be called several times. */
        public Builder audience(String aud) { audiences.add(requireText(aud, "audience")); return this; }

        /** Require this {@code typ} (e.g. {@code at+jwt}, RFC 9068); the {@code application/} prefix is optional. */
        public Builder requiredType(String typ) { requiredType = Optional.of(requireText(typ, "typ")); return this; }

        /** Tolerance for {@code exp}, {@code nbf} and {@code iat}. Default 60 s. */
        public Builder clockSkew(Duration d) {
            if (d.isNegative()) throw new IllegalArgumentException("clock skew must not be negative");
            clockSkew = d;
            return this;
        }

        /** Longest accepted token, in characters. Default 8 KiB. */
        public Builder maxTokenLength(int n) {
            if (n < 16) throw new IllegalArgumentException("maxTokenLength must be at least 16");
            maxTokenLength = n;
            return this;
        }

        /** Deepest accepted nesting of objects and arrays in header and claims. Default 16. */
        public Builder maxJsonDepth(int n) {
            if (n < 1) throw new IllegalArgumentException("maxJsonDepth must be at least 1");
            maxJsonDepth = n;
            return this;
        }

        /**
         * A {@code jku} / {@code x5u} value that may appear in a header (default none: a header with either is
         * refused). Keys are never fetched from a header's URL; they come from the configured source only.
         */
        public Builder allowKeyUrl(URI url) { allowedKeyUrls.add(url.toString()); return this; }

        /** The claim holding the tenant (default {@code tenant}), and the tenant when it is absent (default {@code default}). */
        public Builder tenant(String claim, String defaultTenant) {
            tenantClaim = requireText(claim, "tenant claim");
            this.defaultTenant = requireText(defaultTenant, "default tenant");
            return this;
        }

        /** The environment of the synthesised keys, for environment conditions. Default {@code LIVE}. */
        public Builder environment(Environment e) { environment = Objects.requireNonNull(e); return this; }

        /** Roles named by a token's {@code roles} claim, flattened into its permissions. Default none. */
        public Builder roles(Roles r) { roles = Objects.requireNonNull(r); return this; }

        /** Revoked {@code jti}s; its margin must cover the clock skew. */
        public Builder denyList(JtiDenyList list) { denyList = Optional.of(list); return this; }

        public Builder clock(Clock c) { clock = Objects.requireNonNull(c); return this; }

        /** Most verified tokens kept. Default 100,000. */
        public Builder cacheSize(long n) {
            if (n <= 0) throw new IllegalArgumentException("cacheSize must be positive");
            cacheSize = n;
            return this;
        }

        /**
         * Rate limits per subject ({@code sub}): {@code bySubject} answers a subject's bandwidths (empty for none),
         * e.g. {@code clientManager::ratelimits} for the tokens of this process's own clients. All tokens of one
         * subject share one set of buckets. The function is called on the request path once per subject per
         * {@link #limitsRefresh} interval; when it throws and the subject has no limiter yet, the request is denied
         * {@code STORE_UNAVAILABLE}. Default none: tokens are not limited.
         */
        public Builder limits(Function<String, List<RateLimit>> bySubject) { limitsBySubject = Objects.requireNonNull(bySubject); return this; }
        /** Where the subjects' buckets live (keys-redis's {@code RedisLimits}: shared by the fleet). Default: in process. */
        public Builder limiters(LimiterFactory f) { limiterFactory = Objects.requireNonNull(f); return this; }

        /** How often a subject's limits are read again (a change reaches its buckets within this). Default 30 s. */
        public Builder limitsRefresh(Duration d) {
            if (d.isNegative()) throw new IllegalArgumentException("limitsRefresh must not be negative");
            limitsRefresh = d;
            return this;
        }

        /** Most subjects whose buckets are kept (least recently used dropped first). Default 100,000. */
        public Builder limitersSize(long n) {
            if (n <= 0) throw new IllegalArgumentException("limitersSize must be positive");
            limitersSize = n;
            return this;
        }

        /**
         * The OAuth clients whose tokens this verifier accepts: a token whose client ({@code client_id}, else
         * {@code sub}) is revoked, disabled or unknown there is {@code REVOKED} (401), cached or not. Read once per
         * client per {@link #clientsRefresh}; a change through {@link JwtVerifier#clientStore()} holds at once; a
         * store that cannot be read denies {@code STORE_UNAVAILABLE} past {@link #clientsStaleBound}. Default none.
         */
        public Builder clients(ClientStore store) { clients = Objects.requireNonNull(store, "store"); return this; }

        /** How long a client's status is used before it is read again (the propagation bound). Default 1 s. */
        public Builder clientsRefresh(Duration d) { clientsRefresh = positive(d, "clientsRefresh"); return this; }

        /** How long a client's last status serves once the store is seen failing. Default zero: fail closed. */
        public Builder clientsStaleBound(Duration d) {
            if (d.isNegative()) throw new IllegalArgumentException("clientsStaleBound must not be negative");
            clientsStaleBound = d;
            return this;
        }

        public JwtVerifier build() {
            if (issuer == null) throw new IllegalStateException("an issuer is required");
            if (audiences.isEmpty()) throw new IllegalStateException("an audience is required");
            int sources = (jwkSet != null ? 1 : 0) + (jwksUrl != null ? 1 : 0) + (jwkSource != null ? 1 : 0);
            if (sources != 1) throw new IllegalStateException("exactly one key source is required: jwks, jwksUrl or jwkSource");
            if (denyList.isPresent() && denyList.get().skew().compareTo(clockSkew) < 0)
                throw new IllegalStateException("the deny list's margin is shorter than the clock skew");
            return new JwtVerifier(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be positive");
            return d;
        }

        private static String requireText(String s, String what) {
            if (s == null || s.isBlank()) throw new IllegalArgumentException(what + " must not be blank");
            return s;
        }
    }
}
