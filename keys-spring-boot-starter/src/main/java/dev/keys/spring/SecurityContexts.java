package dev.keys.spring;

import dev.keys.api.Verification;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;

/**
 * Puts an admitted request's {@link KeyAuthentication} into Spring Security's context for the rest of the request,
 * and into the request's attributes (never a session: a key comes with every request), from where the chain takes
 * it again for the error dispatch of the same request, so that a failing controller answers its 500, not a 401. A
 * request already holding this verification's authentication (the filter ran in the security chain and again as the
 * servlet filter) is left as it is.
 */
final class SecurityContexts implements KeysServletFilter.Admitted {
    /** Spring Security's default repository reads this one first, as it does for bearer tokens. */
    private static final RequestAttributeSecurityContextRepository REQUEST = new RequestAttributeSecurityContextRepository();

    private final SecurityContextHolderStrategy strategy;
    private final Authorities authorities;

    SecurityContexts(SecurityContextHolderStrategy strategy, Authorities authorities) {
        this.strategy = strategy;
        this.authorities = authorities;
    }

    @Override
    public void admitted(HttpServletRequest request, Verification.Valid valid) {
        if (strategy.getContext().getAuthentication() instanceof KeyAuthentication k && k.verification() == valid) return;
        SecurityContext context = strategy.createEmptyContext();
        context.setAuthentication(new KeyAuthentication(valid, authorities.of(valid.key())));
        strategy.setContext(context);
        REQUEST.saveContext(context, request, null);
    }
}
