package dev.keys.spring;

import dev.keys.api.ApiKey;
import dev.keys.api.Verification;
import dev.keys.servlet.ApiKeyPrincipal;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;

import java.util.Collection;
import java.util.Objects;

/**
 * A request authenticated by an API key (or a JWT that keys verified), as Spring Security sees it: named by the key
 * id, with the key's permissions as authorities (roles flattened into them) and {@code ROLE_<role>} for each of its
 * roles, so that {@code hasAuthority('documents:read')}, {@code hasRole('reader')}, {@code @PreAuthorize} and
 * {@code isUserInRole} work. The principal is the {@link ApiKeyPrincipal}; there are no credentials to hand out:
 * {@link #getCredentials()} is empty, never the key.
 */
public final class KeyAuthentication extends AbstractAuthenticationToken {
    private static final long serialVersionUID = 1L;

    private final transient Verification.Valid verification;
    private final ApiKeyPrincipal principal;

    KeyAuthentication(Verification.Valid verification, Collection<? extends GrantedAuthority> authorities) {
        super(authorities);
        this.verification = Objects.requireNonNull(verification, "verification");
        this.principal = new ApiKeyPrincipal(verification.key());
        setAuthenticated(true);
    }

    /** The stored key (never the secret). */
    public ApiKey key() {
        return principal.key();
    }

    /** The verifier's answer for this request, with the state of the key's rate limits. */
    public Verification.Valid verification() {
        return verification;
    }

    @Override
    public ApiKeyPrincipal getPrincipal() {
        return principal;
    }

    /** Always empty: the key is not kept. */
    @Override
    public Object getCredentials() {
        return "";
    }
}
