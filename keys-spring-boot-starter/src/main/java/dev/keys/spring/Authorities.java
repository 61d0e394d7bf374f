package dev.keys.spring;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.keys.api.ApiKey;
import dev.keys.core.authz.RoleCatalog;
import dev.keys.core.authz.Roles;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

import java.util.ArrayList;
import java.util.List;

/**
 * A key's Spring Security authorities: its permissions with roles flattened in, then {@code ROLE_<role>} for each
 * role. Computed once per stored key and roles: the verifier hands out the same {@link ApiKey} instance until the key
 * changes, so the cache is keyed by identity (weak keys) and forgets keys the verifier dropped; an entry computed
 * before the roles changed at run time ({@link RoleCatalog}) is computed again.
 */
final class Authorities {
    static final String ROLE_PREFIX = "ROLE_";

    private final RoleCatalog roles;
    private final Cache<ApiKey, Computed> cache = Caffeine.newBuilder().weakKeys().maximumSize(100_000).build();

    private record Computed(Roles from, List<GrantedAuthority> authorities) {
    }

    Authorities(RoleCatalog roles) {
        this.roles = roles;
    }

    List<GrantedAuthority> of(ApiKey key) {
        Roles now = roles.current();
        Computed c = cache.getIfPresent(key);
        if (c == null || c.from != now) {
            c = new Computed(now, compute(key, now));
            cache.put(key, c);
        }
        return c.authorities;
    }

    private static List<GrantedAuthority> compute(ApiKey key, Roles roles) {
        List<GrantedAuthority> out = new ArrayList<>();
        for (String p : roles.flatten(key.roles(), key.permissions()).granted()) out.add(new SimpleGrantedAuthority(p));
        for (String r : key.roles()) out.add(new SimpleGrantedAuthority(ROLE_PREFIX + r));
        return List.copyOf(out);
    }
}
