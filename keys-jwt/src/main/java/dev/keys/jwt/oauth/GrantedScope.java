package dev.keys.jwt.oauth;

import dev.keys.core.authz.Permissions;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The scope a token carries (RFC 6749 §3.3): without a requested scope, the client's whole grant; with one, exactly
 * the requested permissions, each of which the grant must imply (a wildcard grant implies its instances). The
 * grant is flattened when the token is issued, so that the token carries no {@code roles} claim to widen it later.
 */
final class GrantedScope {
    private GrantedScope() {
    }

    /**
     * @param requested space-separated permissions, not blank; empty for the whole grant
     * @throws OAuthException {@code invalid_scope}, naming at most five refused permissions and never echoing text
     *                        that is not a permission
     */
    static Set<String> of(Permissions grant, Optional<String> requested, boolean basicAuth) {
        if (requested.isEmpty()) return new TreeSet<>(grant.granted());
        Set<String> out = new LinkedHashSet<>();
        List<String> refused = new ArrayList<>();
        for (String s : requested.get().split(" ")) {
            if (s.isEmpty()) continue;
            if (!Permissions.isValid(s)) refused.add("(not a permission)");
            else if (!grant.implies(s)) refused.add(s);
            else out.add(s);
        }
        if (!refused.isEmpty()) {
            String names = refused.size() > 5 ? String.join(" ", refused.subList(0, 5)) + " …" : String.join(" ", refused);
            throw new OAuthException(OAuthError.INVALID_SCOPE, "scope not granted to this client: " + truncate(names), basicAuth);
        }
        return out;
    }

    private static String truncate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
