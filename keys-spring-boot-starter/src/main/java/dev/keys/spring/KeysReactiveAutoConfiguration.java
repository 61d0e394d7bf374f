package dev.keys.spring;

import dev.keys.core.Keys;
import dev.keys.core.ops.VerificationListener;
import dev.keys.core.verify.CredentialVerifier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.server.WebFilter;
import reactor.core.scheduler.Schedulers;

/**
 * Reactive applications (Spring WebFlux, Spring Cloud Gateway): {@link KeysWebFilter} on
 * {@code keys.filter.url-patterns}. The admin API is a servlet and is not served here.
 */
@AutoConfiguration(after = KeysAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
@ConditionalOnClass(WebFilter.class)
class KeysReactiveAutoConfiguration {
    private static final String SERVLET_API = "jakarta.servlet.Filter";

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = SERVLET_API)
    static class WebFilterConfiguration {
        @Bean
        KeysWebFilter keysWebFilter(KeysProperties p, Keys keys, ObjectProvider<CredentialVerifier> bearer,
                                    ObjectProvider<VerificationListener> listeners, ObjectProvider<HandlerMapping> mappings) {
            KeysFilters filters = KeysFilters.of(p, keys, bearer.orderedStream(), listeners.orderedStream());
            return new KeysWebFilter(filters, p.getFilter().isHideCredentials(), () -> mappings.orderedStream().toList(),
                    Schedulers.boundedElastic(), p.getFilter().getOrder());
        }
    }

    /** Fails the start rather than leave the API open when the filter cannot run. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass(SERVLET_API)
    static class MissingServletApi {
        MissingServletApi() {
            throw new IllegalStateException("keys on WebFlux runs the servlet filter's rules and needs the Jakarta Servlet API"
                    + " on the class path: add jakarta.servlet:jakarta.servlet-api (6.1)");
        }
    }
}
