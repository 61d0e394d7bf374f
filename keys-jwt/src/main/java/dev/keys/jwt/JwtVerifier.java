package dev.keys.jwt;


import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.keys.api.ApiKey;
import dev.keys.api.Clock;
import dev.keys.api.Digest;
import dev.keys.api.Environment;
import dev.keys.api.KeyStatus;
import dev.keys.api.Outcome;
import dev.keys.api.RateLimit;
import dev.keys.api.RateLimitReport;
import dev.keys.api.RequestContext;
import dev.keys.api.Verification;
import dev.keys.core.authz.Decision;
import dev.keys.core.authz.KeyAuthz;
import dev.keys.core.authz.Requirement;
import dev.keys.core.verify.CredentialVerifier;
import dev.keys.core.authz.Roles;
import dev.keys.core.hash.KeyHasher;
import dev.keys.core.limit.LimitResult;
import dev.keys.core.limit.RateLimiter;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.spec.ECParameterSpec;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Verifies bearer JWTs (RFC 7519, compact JWS) and maps their claims onto the same verified view as an API key, so
 * that the authorization of {@link KeyAuthz} (routes, permission queries, ABAC conditions) applies unchanged.
 *
 * <p>Design. Security defaults follow RFC 8725. Everything that can be decided from the text alone is decided
 * first, with no key lookup and no network call: the size bound, the segment count (five segments is a JWE, not
 * accepted), canonical unpadded base64url, the JSON nesting depth of header and claims, the algorithm against an
 * explicit allow-list ({@code none} in any spelling never passes), embedded keys ({@code jwk}, {@code x5c}),
 * key URLs ({@code jku}, {@code x5u}) outside an allow-list (empty by default), any {@code crit} or {@code b64}
 * parameter, and the {@code typ} when one is required. Only then is the signing key looked up by {@code kid}; a key
 * is used only for the one algorithm its own {@code alg} names (so an HMAC header can never be verified with the
 * bytes of a public key), only with {@code use=sig} or no use, {@code key_ops} containing {@code verify} or none,
 * of the right type and curve, RSA of 2048 bits or more and without the ROCA fingerprint, HMAC secrets at least as long as the hash. ECDSA
 * signatures must be exactly {@code 2 × size} bytes with {@code 0 < r, s < n}. Then the claims: {@code iss}
 * equal to the configured issuer, {@code aud} containing a configured audience, {@code exp} present and not past,
 * {@code nbf} and {@code iat} not in the future, each with the clock skew (default 60 s); {@code sub} present.
 *
 * <p>Cost. A token verified once is cached by the SHA-256 of its text (Caffeine, bounded, each entry until the
 * token's expiry), so that a repeated token costs one hash, one lookup, the expiry and revocation checks and the
 * authorization, like a cached API key; the signature is checked once per token.
 *
 * <p>Outcomes (DESIGN.md §3): everything about the token's shape, signature, key, issuer, audience or validity
 * window is {@code MALFORMED} with a safe detail; past {@code exp} is {@code EXPIRED}; a revoked {@code jti}
 * {@code REVOKED}; a key set that cannot be fetched with no usable cached copy {@code STORE_UNAVAILABLE}. Details
 * never hold the token or any part of it. Thread-safe; nothing here logs.
 */
public final class JwtVerifier implements CredentialVerifier {
    static final Verification.Denied MISSING = new Verification.Denied(Outcome.MISSING, "no credential was sent");
    static final Verification.Denied TOO_LARGE = malformed("token too large");
    static final Verification.Denied NOT_JWS = malformed("token is not a compact JWS");
    static final Verification.Denied JWE = malformed("token is encrypted (JWE); a signed token (JWS) is expected");
    static final Verification.Denied ENCODING = malformed("token is not canonical base64url");
    static final Verification.Denied HEADER = malformed("token header invalid");
    static final Verification.Denied NESTED = malformed("token JSON is nested too deeply");
    static final Verification.Denied ALGORITHM = malformed("token algorithm not accepted");
    static final Verification.Denied EMBEDDED_KEY = malformed("token header carries a key, which is not accepted");
    static final Verification.Denied KEY_URL = malformed("token header key URL not accepted");
    static final Verification.Denied CRITICAL = malformed("token header has critical parameters that are not understood");
    static final Verification.Denied TYPE = malformed("token type not accepted");
    static final Verification.Denied UNKNOWN_KEY = malformed("token signing key unknown");
    static final Verification.Denied AMBIGUOUS_KEY = malformed("token signing key ambiguous");
    static final Verification.Denied SIGNATURE = malformed("token signature invalid");
    static final Verification.Denied CLAIMS = malformed("token claims invalid");
    static final Verification.Denied ISSUER = malformed("token issuer not accepted");
    static final Verification.Denied AUDIENCE = malformed("token audience not accepted");
    static final Verification.Denied NO_EXPIRY = malformed("token has no expiry");
    static final Verification.Denied NO_SUBJECT = malformed("token has no subject");
    static final Verification.Denied NOT_YET_VALID = malformed("token not yet valid");
    static final Verification.Denied ISSUED_IN_FUTURE = malformed("token issued in the future");
    static final Verification.Denied EXPIRED = new Verification.Denied(Outcome.EXPIRED, "token expired");
    static final Verification.Denied REVOKED = new Verification.Denied(Outcome.REVOKED, "token revoked");
    static final Verification.Denied KEYS_UNAVAILABLE = new Verification.Denied(Outcome.STORE_UNAVAILABLE, "token signing keys unavailable");
    static final String LIMITS_UNAVAILABLE = "rate limits of the token's subject unavailable";

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

    private static final int MAX_KEYS_WITHOUT_KID = 4;

    private final Map<String, JWSAlgorithm> algorithms;
    private final JWKSource<SecurityContext> keys;
    private final String issuer;
    private final Set<String> audiences;
    private final Optional<String> requiredType;
    private final long skewNanos;
    private final int maxTokenLength;
    private final int maxJsonDepth;
    private final Set<String> allowedKeyUrls;
    private final String tenantClaim;
    private final String defaultTenant;
    private final Environment environment;
    private final Roles roles;
    private final Optional<JtiDenyList> denyList;
    private final Clock clock;
    private final KeyHasher hasher = KeyHasher.sha256();
    private final Cache<Digest, Entry> cache;
    private final Cache<JWK, Optional<JWSVerifier>> verifiers = Caffeine.newBuilder().weakKeys().maximumSize(256).build();
    /** Rate limits by subject ({@code sub}); null when the verifier applies none. */
    private final Function<String, List<RateLimit>> limitsBySubject;
    private final long limitsRefreshNanos;
    /** One limiter per subject, shared by all its tokens; bounded, so that no subject's state lives forever. */
    private final Cache<String, SubjectLimiter> limiters;

    /** The limiter of one subject and when its limits were last read. */
    record SubjectLimiter(RateLimiter limiter, long loadedAtNanos) {
    }

    /** A verified token, compiled once: what every later request with the same token needs. */
    static final class Entry {
        final ApiKey key;
        final KeyAuthz authz;
        final long expiresAtNanos; // exp + skew
        final String jti;
        final Verification.Valid valid;
        final Verification.Denied expired, revoked;

        Entry(ApiKey key, KeyAuthz authz, long expiresAtNanos, String jti) {
            this.key = key;
            this.authz = authz;
            this.expiresAtNanos = expiresAtNanos;
            this.jti = jti;
            this.valid = new Verification.Valid(key, RateLimitReport.NONE);
            this.expired = new Verification.Denied(Outcome.EXPIRED, EXPIRED.detail(), key);
            this.revoked = new Verification.Denied(Outcome.REVOKED, REVOKED.detail(), key);
        }
    }

    private JwtVerifier(Builder b) {
        this.algorithms = Map.copyOf(b.algorithms);
        this.keys = b.source();
        this.issuer = b.issuer;
        this.audiences = Set.copyOf(b.audiences);
        this.requiredType = b.requiredType;
        this.skewNanos = b.clockSkew.toNanos();
        this.maxTokenLength = b.maxTokenLength;
        this.maxJsonDepth = b.maxJsonDepth;
        this.allowedKeyUrls = Set.copyOf(b.allowedKeyUrls);
        this.tenantClaim = b.tenantClaim;
        this.defaultTenant = b.defaultTenant;
        this.environment = b.environment;
        this.roles = b.roles;
        this.denyList = b.denyList;
        this.clock = b.clock;
        this.limitsBySubject = b.limitsBySubject;
        this.limitsRefreshNanos = b.limitsRefresh.toNanos();
        this.limiters = b.limitsBySubject == null ? null : Caffeine.newBuilder().maximumSize(b.limitersSize).build();
        this.cache = Caffeine.newBuilder()
                .maximumSize(b.cacheSize)
                .ticker(clock::nanos)
                .expireAfter(new Expiry<Digest, Entry>() {
                    @Override
                    public long expireAfterCreate(Digest k, Entry e, long now) {
                        return Math.max(0, e.expiresAtNanos - now);
                    }

                    @Override
                    public long expireAfterUpdate(Digest k, Entry e, long now, long current) {
                        return expireAfterCreate(k, e, now);
                    }

                    @Override
                    public long expireAfterRead(Digest k, Entry e, long now, long current) {
                        return current;
                    }
                })
                .build();
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
                .jwkSource((selector, ctx) -> selector.select(signingKeys.publicJwkSet()))
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
        return credential != null && Compact.looksLikeJwt(credential);
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
        if (token == null || token.length() == 0) return MISSING;
        int n = token.length();
        if (n > maxTokenLength) return TOO_LARGE;
        int dots = 0, d1 = -1, d2 = -1;
        for (int i = 0; i < n; i++) {
            char c = token.charAt(i);
            if (c == '.') {
                if (dots == 0) d1 = i;
                else if (dots == 1) d2 = i;
                dots++;
            } else if (!Compact.tokenChar(c)) {
                return dots == 4 ? JWE : ENCODING;
            }
        }
        if (dots == 4) return JWE;
        if (dots != 2) return NOT_JWS;
        String text = token.toString();
        Digest digest = hasher.digest(text);
        long now = clock.nanos();
        Entry e = cache.getIfPresent(digest);
        if (e == null) {
            Object r = verifyToken(text, d1, d2, digest, now);
            if (r instanceof Verification.Denied d) return d;
            e = (Entry) r;
            cache.put(digest, e);
        }
        return decide(e, ctx, requirement, now);
    }

    private Verification decide(Entry e, RequestContext ctx, Requirement requirement, long now) {
        if (now >= e.expiresAtNanos) return e.expired;
        if (e.jti != null && denyList.isPresent() && denyList.get().isRevoked(e.jti)) return e.revoked;
        Decision d = e.authz.check(ctx, now, requirement);
        if (d != Decision.ALLOW) return new Verification.Denied(d.outcome(), d.reason(), e.key);
        if (limitsBySubject == null) return e.valid;
        // Only authorised requests reach the limits, so 401 and 403 never consume.
        RateLimiter limiter = limiter(e.key.ownerId(), now);
        if (limiter == null) return new Verification.Denied(Outcome.STORE_UNAVAILABLE, LIMITS_UNAVAILABLE, e.key);
        LimitResult r = limiter.tryConsume(ctx.cost(), now);
        if (!r.admitted()) return new Verification.Denied(Outcome.RATE_LIMITED, r.detail(), Optional.of(e.key), r);
        return r == LimitResult.UNLIMITED ? e.valid : new Verification.Valid(e.key, r);
    }

    /**
     * The subject's limiter, its limits read again once per refresh interval; a limiter whose limits did not change
     * is kept, with its buckets. When the limits cannot be read, the last limiter serves; with none, null (fail
     * closed).
     */
    private RateLimiter limiter(String subject, long now) {
        SubjectLimiter s = limiters.getIfPresent(subject);
        if (s != null && now - s.loadedAtNanos < limitsRefreshNanos) return s.limiter;
        SubjectLimiter fresh = limiters.asMap().compute(subject, (k, current) -> {
            if (current != null && now - current.loadedAtNanos < limitsRefreshNanos) return current; // another thread refreshed
            List<RateLimit> limits;
            try {
                limits = limitsBySubject.apply(k);
            } catch (RuntimeException ex) {
                return current;
            }
            if (limits == null) return current;
            RateLimiter l = current != null && current.limiter.sameLimits(limits) ? current.limiter : RateLimiter.of(limits);
            return new SubjectLimiter(l, now);
        });
        return fresh == null ? null : fresh.limiter;
    }

    /** What {@link #checkJws} found: a denial, or the verified header and payload. */
    record Jws(Verification.Denied denial, JWSHeader header, byte[] payload) {
        static Jws denied(Verification.Denied d) {
            return new Jws(d, null, null);
        }
    }

    /** Checks the compact JWS {@code text} up to and including its signature; no claim is looked at. */
    Jws checkJws(String text) {
        if (text.length() > maxTokenLength) return Jws.denied(TOO_LARGE);
        int d1 = text.indexOf('.'), d2 = d1 < 0 ? -1 : text.indexOf('.', d1 + 1);
        int dots = (int) text.chars().filter(c -> c == '.').count();
        if (dots == 4) return Jws.denied(JWE);
        if (dots != 2) return Jws.denied(NOT_JWS);
        return checkJws(text, d1, d2);
    }

    private Jws checkJws(String t, int d1, int d2) {
        byte[] headerBytes = Compact.decode(t, 0, d1);
        byte[] payload = Compact.decode(t, d1 + 1, d2);
        byte[] signature = Compact.decode(t, d2 + 1, t.length());
        if (headerBytes == null || payload == null || signature == null) return Jws.denied(ENCODING);
        if (headerBytes.length == 0) return Jws.denied(HEADER);
        if (signature.length == 0) return Jws.denied(SIGNATURE);
        if (Compact.nestedDeeperThan(headerBytes, maxJsonDepth) || Compact.nestedDeeperThan(payload, maxJsonDepth)) return Jws.denied(NESTED);
        Map<String, Object> h;
        try {
            h = JSONObjectUtils.parse(new String(headerBytes, StandardCharsets.UTF_8));
        } catch (ParseException | RuntimeException e) {
            return Jws.denied(HEADER);
        }
        // A header of JSON null parses to no map at all.
        if (h == null || !(h.get("alg") instanceof String algName)) return Jws.denied(HEADER);
        if (algName.trim().equalsIgnoreCase("none")) return Jws.denied(ALGORITHM);
        if (h.containsKey("enc")) return Jws.denied(JWE);
        JWSAlgorithm alg = algorithms.get(algName);
        if (alg == null) return Jws.denied(ALGORITHM);
        if (h.containsKey("jwk") || h.containsKey("x5c")) return Jws.denied(EMBEDDED_KEY);
        for (String urlParam : List.of("jku", "x5u")) {
            Object url = h.get(urlParam);
            if (url != null && !(url instanceof String s && allowedKeyUrls.contains(s))) return Jws.denied(KEY_URL);
        }
        if (h.containsKey("crit") || h.containsKey("b64")) return Jws.denied(CRITICAL);
        if (h.containsKey("zip")) return Jws.denied(HEADER);
        if (requiredType.isPresent() && !typeMatches(h.get("typ"), requiredType.get())) return Jws.denied(TYPE);
        JWSHeader header;
        try {
            header = JWSHeader.parse(h, new Base64URL(t.substring(0, d1)));
        } catch (ParseException | RuntimeException e) {
            return Jws.denied(HEADER);
        }
        String kid = header.getKeyID();
        List<JWK> found;
        try {
            JWKMatcher matcher = kid != null ? new JWKMatcher.Builder().keyID(kid).build() : new JWKMatcher.Builder().algorithm(alg).build();
            found = keys.get(new JWKSelector(matcher), null);
        } catch (RateLimitReachedException e) {
            return Jws.denied(UNKNOWN_KEY);
        } catch (KeySourceException e) {
            return Jws.denied(KEYS_UNAVAILABLE);
        }
        List<JWK> usable = new ArrayList<>(2);
        for (JWK k : found) {
            if (usable(k, alg)) usable.add(k);
        }
        if (usable.isEmpty()) return Jws.denied(UNKNOWN_KEY);
        if (kid != null && usable.size() > 1) return Jws.denied(AMBIGUOUS_KEY);
        byte[] signingInput = t.substring(0, d2).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < Math.min(usable.size(), MAX_KEYS_WITHOUT_KID); i++) {
            JWK k = usable.get(i);
            Optional<JWSVerifier> v = verifiers.get(k, JwtVerifier::verifierFor);
            if (v.isPresent() && verifyWith(v.get(), k, header, signingInput, signature)) return new Jws(null, header, payload);
        }
        return Jws.denied(SIGNATURE);
    }

    private Object verifyToken(String t, int d1, int d2, Digest digest, long now) {
        Jws jws = checkJws(t, d1, d2);
        if (jws.denial != null) return jws.denial;
        JWTClaimsSet claims;
        try {
            claims = JWTClaimsSet.parse(new String(jws.payload, StandardCharsets.UTF_8));
        } catch (ParseException | RuntimeException e) {
            return CLAIMS;
        }
        try {
            if (!issuer.equals(claims.getIssuer())) return ISSUER;
            List<String> aud = claims.getAudience();
            if (aud == null || aud.stream().noneMatch(audiences::contains)) return AUDIENCE;
            Date exp = claims.getExpirationTime();
            if (exp == null) return NO_EXPIRY;
            long expNanos = millisToNanos(exp.getTime());
            if (now >= saturatedAdd(expNanos, skewNanos)) return EXPIRED;
            Date nbf = claims.getNotBeforeTime();
            if (nbf != null && millisToNanos(nbf.getTime()) > now + skewNanos) return NOT_YET_VALID;
            Date iat = claims.getIssueTime();
            if (iat != null && millisToNanos(iat.getTime()) > now + skewNanos) return ISSUED_IN_FUTURE;
            String sub = claims.getSubject();
            if (sub == null || sub.isBlank()) return NO_SUBJECT;
            String jti = claims.getJWTID();
            if (jti != null && jti.isEmpty()) return CLAIMS;
            if (jti != null && denyList.isPresent() && denyList.get().isRevoked(jti)) return REVOKED;
            Object tenantValue = claims.getClaim(tenantClaim);
            if (tenantValue != null && !(tenantValue instanceof String)) return CLAIMS;
            String tenant = tenantValue != null ? (String) tenantValue : defaultTenant;
            Set<String> permissions = new LinkedHashSet<>();
            if (!strings(claims.getClaim("scope"), permissions) || !strings(claims.getClaim("scp"), permissions)
                    || !strings(claims.getClaim("permissions"), permissions)) return CLAIMS;
            Set<String> roleNames = new LinkedHashSet<>();
            if (!strings(claims.getClaim("roles"), roleNames)) return CLAIMS;
            Instant created = iat != null ? iat.toInstant() : clock.instant();
            String id = jti != null ? jti : sub;
            ApiKey key = ApiKey.builder()
                    .id("jwt:" + id)
                    .tenant(tenant)
                    .ownerId(sub)
                    .name(sub)
                    .prefix("jwt")
                    .start(jti != null ? jti.substring(0, Math.min(4, jti.length())) : "jwt_")
                    .digest(digest)
                    .environment(environment)
                    .status(KeyStatus.ACTIVE)
                    .roles(roleNames)
                    .permissions(permissions)
                    .meta(Map.of("iss", issuer))
                    .createdAt(created)
                    .updatedAt(created)
                    .expiresAt(Optional.of(exp.toInstant()))
                    .build();
            return new Entry(key, KeyAuthz.compile(key, roles), saturatedAdd(expNanos, skewNanos), jti);
        } catch (RuntimeException e) {
            return CLAIMS;
        }
    }

    /** Adds a space-separated string or an array of strings to {@code into}; false for any other type. */
    private static boolean strings(Object claim, Set<String> into) {
        if (claim == null) return true;
        if (claim instanceof String s) {
            for (String part : s.split(" ")) if (!part.isEmpty()) into.add(part);
            return true;
        }
        if (claim instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof String s) || s.isEmpty()) return false;
                into.add(s);
            }
            return true;
        }
        return false;
    }

    /** RFC 7515 §4.1.9: the {@code application/} prefix may be left out; media types compare case-insensitively. */
    private static boolean typeMatches(Object typ, String required) {
        if (!(typ instanceof String s)) return false;
        String a = s.toLowerCase(Locale.ROOT), r = required.toLowerCase(Locale.ROOT);
        if (a.startsWith("application/")) a = a.substring("application/".length());
        if (r.startsWith("application/")) r = r.substring("application/".length());
        return a.equals(r);
    }

    /**
     * Whether {@code key} may verify a signature of algorithm {@code alg}: the key names exactly that algorithm,
     * is for signatures, is public (or an HMAC secret) of the matching type and curve, and is strong enough.
     */
    static boolean usable(JWK key, JWSAlgorithm alg) {
        if (key.getAlgorithm() == null || !key.getAlgorithm().getName().equals(alg.getName())) return false;
        if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) return false;
        if (key.getKeyOperations() != null && !key.getKeyOperations().contains(KeyOperation.VERIFY)) return false;
        String name = alg.getName();
        try {
            if (name.startsWith("HS")) {
                return key instanceof OctetSequenceKey k && k.toByteArray().length >= Integer.parseInt(name.substring(2)) / 8;
            }
            if (name.startsWith("RS") || name.startsWith("PS")) {
                if (!(key instanceof RSAKey k) || k.isPrivate()) return false;
                BigInteger e = k.getPublicExponent().decodeToBigInteger(), n = k.getModulus().decodeToBigInteger();
                return n.bitLength() >= 2048 && e.compareTo(BigInteger.ONE) > 0 && e.testBit(0) && !Roca.fingerprinted(n);
            }
            if (name.startsWith("ES")) {
                if (!(key instanceof ECKey k) || k.isPrivate()) return false;
                Curve expected = switch (name) {
                    case "ES256" -> Curve.P_256;
                    case "ES384" -> Curve.P_384;
                    case "ES512" -> Curve.P_521;
                    default -> null;
                };
                return expected != null && expected.equals(k.getCurve());
            }
            if (name.equals("EdDSA") || name.equals("Ed25519")) {
                return key instanceof OctetKeyPair k && !k.isPrivate() && Curve.Ed25519.equals(k.getCurve());
            }
        } catch (RuntimeException e) {
            return false;
        }
        return false;
    }

    /**
     * ECDSA verifies with Bouncy Castle (already a dependency): the JDK 17 provider rejects some valid signatures
     * whose nonce point has {@code x >= n} (Wycheproof P-256 cases 115 and 257). Not registered globally.
     */
    private static final class BouncyCastle {
        static final java.security.Provider PROVIDER = new org.bouncycastle.jce.provider.BouncyCastleProvider();
    }

    static Optional<JWSVerifier> verifierFor(JWK key) {
        try {
            if (key instanceof RSAKey k) return Optional.of(new RSASSAVerifier(k));
            if (key instanceof ECKey k) {
                ECDSAVerifier v = new ECDSAVerifier(k);
                v.getJCAContext().setProvider(BouncyCastle.PROVIDER);
                return Optional.of(v);
            }
            if (key instanceof OctetSequenceKey k) return Optional.of(new MACVerifier(k));
            if (key instanceof OctetKeyPair k) return Optional.of(new Ed25519Jca.Verifier(k));
        } catch (JOSEException | GeneralSecurityException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * The one signature check of every JWS, also used directly by the Wycheproof ECDSA vectors. For ECDSA it first
     * requires the IEEE P1363 form with {@code 0 < r < n} and {@code 0 < s < n} (so the "psychic signature" r = s = 0
     * fails here whatever the JDK does).
     */
    static boolean verifyWith(JWSVerifier verifier, JWK key, JWSHeader header, byte[] signingInput, byte[] signature) {
        if (key instanceof ECKey ec && !legalEcdsa(ec, signature)) return false;
        try {
            return verifier.verify(header, signingInput, Base64URL.encode(signature));
        } catch (JOSEException | RuntimeException e) {
            return false;
        }
    }

    static boolean legalEcdsa(ECKey key, byte[] signature) {
        ECParameterSpec params = key.getCurve().toECParameterSpec();
        if (params == null) return false;
        BigInteger n = params.getOrder();
        int size = (n.bitLength() + 7) / 8;
        if (signature.length != 2 * size) return false;
        BigInteger r = new BigInteger(1, Arrays.copyOfRange(signature, 0, size));
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, size, 2 * size));
        return r.signum() > 0 && s.signum() > 0 && r.compareTo(n) < 0 && s.compareTo(n) < 0;
    }

    private static long millisToNanos(long millis) {
        if (millis > Long.MAX_VALUE / 1_000_000L) return Long.MAX_VALUE;
        if (millis < Long.MIN_VALUE / 1_000_000L) return Long.MIN_VALUE;
        return millis * 1_000_000L;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    /** Number of verified tokens cached (for metrics). */
    public long cachedTokens() {
        return cache.estimatedSize();
    }

    private static Verification.Denied malformed(String detail) {
        return new Verification.Denied(Outcome.MALFORMED, detail);
    }

    /** Configuration of a {@link JwtVerifier}. {@link #issuer}, {@link #audience} and a key source are required. */
    public static final class Builder {
        private final Map<String, JWSAlgorithm> algorithms = new LinkedHashMap<>();
        private JWKSet jwkSet;
        private URL jwksUrl;
        private JWKSource<SecurityContext> jwkSource;
        private Duration jwksCacheTtl = Duration.ofMinutes(5), jwksRefreshMinInterval = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(2), readTimeout = Duration.ofSeconds(2);
        private int jwksSizeLimit = 64 * 1024;
        private String issuer;
        private final Set<String> audiences = new LinkedHashSet<>();
        private Optional<String> requiredType = Optional.empty();
        private Duration clockSkew = Duration.ofSeconds(60);
        private int maxTokenLength = 8 * 1024, maxJsonDepth = 16;
        private final Set<String> allowedKeyUrls = new LinkedHashSet<>();
        private String tenantClaim = "tenant", defaultTenant = "default";
        private Environment environment = Environment.LIVE;
        private Roles roles = Roles.EMPTY;
        private Optional<JtiDenyList> denyList = Optional.empty();
        private Clock clock = Clock.system();
        private long cacheSize = 100_000;
        private Function<String, List<RateLimit>> limitsBySubject;
        private Duration limitsRefresh = Duration.ofSeconds(30);
        private long limitersSize = 100_000;

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
            boolean symmetric = false, asymmetric = false;
            for (JWK k : set.getKeys()) {
                if (k.getAlgorithm() == null) throw new IllegalArgumentException("key " + k.getKeyID() + " does not name its alg");
                if (k instanceof OctetSequenceKey) symmetric = true;
                else if (k.isPrivate()) throw new IllegalArgumentException("a verification key set must hold public keys only (key " + k.getKeyID() + ")");
                else asymmetric = true;
            }
            if (symmetric && asymmetric) throw new IllegalArgumentException("a verification key set must not mix HMAC secrets and public keys");
            jwkSet = set;
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
            String scheme = url.getProtocol();
            if (!"https".equals(scheme) && !("http".equals(scheme) && loopback(url.getHost())))
                throw new IllegalArgumentException("the JWKS URL must use https (http only to a loopback address)");
            jwksUrl = url;
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

        public JwtVerifier build() {
            if (issuer == null) throw new IllegalStateException("an issuer is required");
            if (audiences.isEmpty()) throw new IllegalStateException("an audience is required");
            int sources = (jwkSet != null ? 1 : 0) + (jwksUrl != null ? 1 : 0) + (jwkSource != null ? 1 : 0);
            if (sources != 1) throw new IllegalStateException("exactly one key source is required: jwks, jwksUrl or jwkSource");
            if (denyList.isPresent() && denyList.get().skew().compareTo(clockSkew) < 0)
                throw new IllegalStateException("the deny list's margin is shorter than the clock skew");
            return new JwtVerifier(this);
        }

        JWKSource<SecurityContext> source() {
            if (jwkSource != null) return jwkSource;
            if (jwkSet != null) {
                JWKSet set = jwkSet;
                return (selector, ctx) -> selector.select(set);
            }
            DefaultResourceRetriever retriever = new DefaultResourceRetriever(
                    (int) connectTimeout.toMillis(), (int) readTimeout.toMillis(), jwksSizeLimit);
            return JWKSourceBuilder.<SecurityContext>create(jwksUrl, retriever)
                    .cache(jwksCacheTtl.toMillis(), readTimeout.plus(connectTimeout).toMillis())
                    .rateLimited(jwksRefreshMinInterval.toMillis())
                    .refreshAheadCache(false)
                    .retrying(false)
                    .outageTolerant(false)
                    .build();
        }

        private static boolean loopback(String host) {
            try {
                return InetAddress.getByName(host).isLoopbackAddress() && (host.equals("localhost") || Character.isDigit(host.charAt(0)) || host.startsWith("["));
            } catch (UnknownHostException e) {
                return false;
            }
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
