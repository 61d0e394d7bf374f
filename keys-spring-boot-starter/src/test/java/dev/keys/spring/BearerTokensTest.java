package dev.keys.spring;

import dev.keys.api.ApiKey;
import dev.keys.api.Digest;
import dev.keys.api.RateLimitReport;
import dev.keys.api.RequestContext;
import dev.keys.api.Verification;
import dev.keys.core.authz.Requirement;
import dev.keys.core.verify.CredentialVerifier;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.util.ClassUtils;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A bearer-token verifier bean (keys-jwt's {@code JwtVerifier}, here a stand-in) is used by the filter for
 * {@code Authorization: Bearer} tokens it accepts, and the token's subject becomes the Authentication as a key does.
 */
class BearerTokensTest {
    static final ApiKey SUBJECT = ApiKey.builder().id("client_reports").ownerId("reports").prefix("jwt").start("-")
            .digest(Digest.of(new byte[32])).permissions(Set.of("reports:read")).createdAt(Instant.EPOCH).updatedAt(Instant.EPOCH).build();

    /** Accepts "token-..." only, as a JWT verifier accepts JWT-shaped credentials only. */
    static final class Tokens implements CredentialVerifier {
        @Override
        public Verification verify(CharSequence credential, RequestContext ctx, Requirement requirement) {
            return new Verification.Valid(SUBJECT, RateLimitReport.NONE);
        }

        @Override
        public boolean accepts(CharSequence credential) {
            return credential.toString().startsWith("token-");
        }

        @Override
        public String authType(CharSequence credential) {
            return "JWT";
        }
    }

    @BeforeAll
    static void withSpringSecurity() {
        assumeTrue(ClassUtils.isPresent("org.springframework.security.web.SecurityFilterChain", null), "Spring Security is not on the class path");
    }

    @Test
    void aTokenTheBeanAcceptsIsVerifiedByItAndBecomesTheAuthentication() {
        new WebApplicationContextRunner().withConfiguration(AutoConfigurationTest.ALL)
                .withConfiguration(AutoConfigurations.of(SecurityAutoConfiguration.class, ServletWebSecurityAutoConfiguration.class))
                .withBean(Tokens.class, Tokens::new)
                .withPropertyValues("keys.admin.path=off").run(ctx -> {
            assertNull(ctx.getStartupFailure());
            FilterRegistrationBean<?> reg = (FilterRegistrationBean<?>) ctx.getBean("keysFilter");
            MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/reports");
            request.addHeader("Authorization", "Bearer token-abc");
            AtomicReference<HttpServletRequest> seen = new AtomicReference<>();
            AtomicReference<Authentication> auth = new AtomicReference<>();
            MockHttpServletResponse response = new MockHttpServletResponse();
            try {
                reg.getFilter().doFilter(request, response, new MockFilterChain() {
                    @Override
                    public void doFilter(jakarta.servlet.ServletRequest r, jakarta.servlet.ServletResponse s) {
                        seen.set((HttpServletRequest) r);
                        auth.set(SecurityContextHolder.getContext().getAuthentication());
                    }
                });
            } finally {
                SecurityContextHolder.clearContext();
            }
            assertEquals(200, response.getStatus(), response.getContentAsString());
            assertEquals("client_reports", seen.get().getUserPrincipal().getName());
            assertEquals("JWT", seen.get().getAuthType());
            KeyAuthentication k = assertInstanceOf(KeyAuthentication.class, auth.get());
            assertEquals(List.of("reports:read"), k.getAuthorities().stream().map(GrantedAuthority::getAuthority).toList());

            MockHttpServletResponse key = new MockHttpServletResponse();
            MockHttpServletRequest notAToken = new MockHttpServletRequest("GET", "/api/reports");
            notAToken.addHeader("Authorization", "Bearer acme_live_notakey");
            reg.getFilter().doFilter(notAToken, key, new MockFilterChain());
            assertEquals(401, key.getStatus(), "anything else is verified as an API key");
        });
    }
}
