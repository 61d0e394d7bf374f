package dev.keys.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static dev.keys.jwt.JwtVerifier.ALGORITHM;
import static dev.keys.jwt.JwtVerifier.CRITICAL;
import static dev.keys.jwt.JwtVerifier.EMBEDDED_KEY;
import static dev.keys.jwt.JwtVerifier.HEADER;
import static dev.keys.jwt.JwtVerifier.JWE;
import static dev.keys.jwt.JwtVerifier.KEY_URL;
import static dev.keys.jwt.JwtVerifier.TYPE;

/**
 * What a JWS header may say (RFC 8725), decided before any key is looked up: the algorithm from an explicit
 * allow-list ({@code none} in any spelling never passes), no embedded key ({@code jwk}, {@code x5c}), key URLs
 * ({@code jku}, {@code x5u}) only from an allow-list and never fetched, no {@code crit}, {@code b64} or
 * {@code zip}, and the {@code typ} when one is required. Immutable.
 */
final class HeaderPolicy {
    /** A header that passed, with the algorithm it names. */
    record Header(JWSHeader jws, JWSAlgorithm algorithm) {
    }

    private final Map<String, JWSAlgorithm> algorithms;
    private final Set<String> allowedKeyUrls;
    private final Optional<String> requiredType;

    HeaderPolicy(JwtVerifier.Builder b) {
        this.algorithms = Map.copyOf(b.algorithms);
        this.allowedKeyUrls = Set.copyOf(b.allowedKeyUrls);
        this.requiredType = b.requiredType;
    }

    Checked<Header> check(Compact.Segments s) {
        Map<String, Object> h;
        try {
            h = JSONObjectUtils.parse(new String(s.header(), StandardCharsets.UTF_8));
        } catch (ParseException | RuntimeException e) {
            return Checked.refused(HEADER);
        }
        // A header of JSON null parses to no map at all.
        if (h == null || !(h.get("alg") instanceof String algName)) return Checked.refused(HEADER);
        if (algName.trim().equalsIgnoreCase("none")) return Checked.refused(ALGORITHM);
        if (h.containsKey("enc")) return Checked.refused(JWE);
        JWSAlgorithm alg = algorithms.get(algName);
        if (alg == null) return Checked.refused(ALGORITHM);
        if (h.containsKey("jwk") || h.containsKey("x5c")) return Checked.refused(EMBEDDED_KEY);
        for (String urlParam : List.of("jku", "x5u")) {
            Object url = h.get(urlParam);
            if (url != null && !(url instanceof String u && allowedKeyUrls.contains(u))) return Checked.refused(KEY_URL);
        }
        if (h.containsKey("crit") || h.containsKey("b64")) return Checked.refused(CRITICAL);
        if (h.containsKey("zip")) return Checked.refused(HEADER);
        if (requiredType.isPresent() && !typeMatches(h.get("typ"), requiredType.get())) return Checked.refused(TYPE);
        try {
            return Checked.passed(new Header(JWSHeader.parse(h, new Base64URL(s.encodedHeader())), alg));
        } catch (ParseException | RuntimeException e) {
            return Checked.refused(HEADER);
        }
    }

    /** RFC 7515 §4.1.9: the {@code application/} prefix may be left out; media types compare case-insensitively. */
    private static boolean typeMatches(Object typ, String required) {
        if (!(typ instanceof String s)) return false;
        String a = s.toLowerCase(Locale.ROOT), r = required.toLowerCase(Locale.ROOT);
        if (a.startsWith("application/")) a = a.substring("application/".length());
        if (r.startsWith("application/")) r = r.substring("application/".length());
        return a.equals(r);
    }
}
