package dev.keys.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.keys.api.ApiKey;
import dev.keys.api.JsonValue;
import dev.keys.api.Clock;
import dev.keys.api.Digest;
import dev.keys.api.Environment;
import dev.keys.api.KeyStatus;
import dev.keys.core.authz.KeyAuthz;
import dev.keys.core.authz.Roles;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import static dev.keys.jwt.JwtVerifier.AUDIENCE;
import static dev.keys.jwt.JwtVerifier.CLAIMS;
import static dev.keys.jwt.JwtVerifier.EXPIRED;
import static dev.keys.jwt.JwtVerifier.ISSUED_IN_FUTURE;
import static dev.keys.jwt.JwtVerifier.ISSUER;
import static dev.keys.jwt.JwtVerifier.NOT_YET_VALID;
import static dev.keys.jwt.JwtVerifier.NO_EXPIRY;
import static dev.keys.jwt.JwtVerifier.NO_SUBJECT;
import static dev.keys.jwt.JwtVerifier.REVOKED;

/**
 * The claims of a signed token, checked and mapped onto the API-key view (docs/jwt.md, "Claims → the verified
 * view"): {@code iss} exactly the issuer, {@code aud} naming an accepted audience, {@code exp} present and not past,
 * {@code nbf} and {@code iat} not in the future (each with the clock skew), {@code sub} present, {@code jti} not
 * revoked; then tenant, permissions ({@code scope}, {@code scp}, {@code permissions}) and roles become the
 * synthesised {@link ApiKey}, compiled with {@link KeyAuthz} so that authorization applies unchanged. A claim of
 * the wrong type is {@code CLAIMS}, never an exception. Immutable.
 */
final class ClaimsMapping {
    private final String issuer;
    private final Set<String> audiences;
    private final long skewNanos;
    private final Predicate<String> revoked;
    private final String tenantClaim;
    private final String defaultTenant;
    private final Environment environment;
    private final Roles roles;
    private final Clock clock;

    ClaimsMapping(JwtVerifier.Builder b, Predicate<String> revoked) {
        this.issuer = b.issuer;
        this.audiences = Set.copyOf(b.audiences);
        this.skewNanos = b.clockSkew.toNanos();
        this.revoked = revoked;
        this.tenantClaim = b.tenantClaim;
        this.defaultTenant = b.defaultTenant;
        this.environment = b.environment;
        this.roles = b.roles;
        this.clock = b.clock;
    }

    /** The verified token of a signed {@code payload} whose text has {@code digest}, checked at {@code now}. */
    Checked<VerifiedToken> map(byte[] payload, Digest digest, long now) {
        JWTClaimsSet claims;
        try {
            claims = JWTClaimsSet.parse(new String(payload, StandardCharsets.UTF_8));
        } catch (ParseException | RuntimeException e) {
            return Checked.refused(CLAIMS);
        }
        try {
            if (!issuer.equals(claims.getIssuer())) return Checked.refused(ISSUER);
            List<String> aud = claims.getAudience();
            if (aud == null || aud.stream().noneMatch(audiences::contains)) return Checked.refused(AUDIENCE);
            Date exp = claims.getExpirationTime();
            if (exp == null) return Checked.refused(NO_EXPIRY);
            long validUntil = saturatedAdd(millisToNanos(exp.getTime()), skewNanos);
            if (now >= validUntil) return Checked.refused(EXPIRED);
            Date nbf = claims.getNotBeforeTime();
            if (nbf != null && millisToNanos(nbf.getTime()) > now + skewNanos) return Checked.refused(NOT_YET_VALID);
            Date iat = claims.getIssueTime();
            if (iat != null && millisToNanos(iat.getTime()) > now + skewNanos) return Checked.refused(ISSUED_IN_FUTURE);
            String sub = claims.getSubject();
            if (sub == null || sub.isBlank()) return Checked.refused(NO_SUBJECT);
            String jti = claims.getJWTID();
            if (jti != null && jti.isEmpty()) return Checked.refused(CLAIMS);
            if (jti != null && revoked.test(jti)) return Checked.refused(REVOKED);
            Object tenantValue = claims.getClaim(tenantClaim);
            if (tenantValue != null && !(tenantValue instanceof String)) return Checked.refused(CLAIMS);
            String tenant = tenantValue instanceof String t ? t : defaultTenant;
            Set<String> permissions = new LinkedHashSet<>();
            if (!strings(claims.getClaim("scope"), permissions) || !strings(claims.getClaim("scp"), permissions)
                    || !strings(claims.getClaim("permissions"), permissions)) return Checked.refused(CLAIMS);
            Set<String> roleNames = new LinkedHashSet<>();
            if (!strings(claims.getClaim("roles"), roleNames)) return Checked.refused(CLAIMS);
            Instant created = iat != null ? iat.toInstant() : clock.instant();
            ApiKey key = ApiKey.builder()
                    .id("jwt:" + (jti != null ? jti : sub))
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
                    .meta(Map.of("iss", JsonValue.of(issuer)))
                    .createdAt(created)
                    .updatedAt(created)
                    .expiresAt(Optional.of(exp.toInstant()))
                    .build();
            String clientId = claims.getClaim("client_id") instanceof String c && !c.isEmpty() ? c : sub;
            return Checked.passed(VerifiedToken.of(key, KeyAuthz.compile(key, roles), validUntil, Optional.ofNullable(jti), clientId));
        } catch (RuntimeException e) {
            return Checked.refused(CLAIMS);
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

    private static long millisToNanos(long millis) {
        if (millis > Long.MAX_VALUE / 1_000_000L) return Long.MAX_VALUE;
        if (millis < Long.MIN_VALUE / 1_000_000L) return Long.MIN_VALUE;
        return millis * 1_000_000L;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
