package dev.keys.spring;

import dev.keys.api.AuditLog;
import dev.keys.api.UsageLog;
import dev.keys.core.Keys;
import dev.keys.core.authz.TrustedProxies;
import dev.keys.core.hash.KeyHasher;
import dev.keys.core.lifecycle.AdminPolicy;
import dev.keys.core.lifecycle.ClientManager;
import dev.keys.core.ops.VerificationListener;
import dev.keys.core.verify.CredentialVerifier;
import dev.keys.servlet.KeyAdminServlet;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.ClassUtils;
import org.springframework.web.cors.CorsConfigurationSource;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * Servlet applications: the filter on {@code keys.filter.url-patterns}, the admin API at {@code keys.admin.path}
 * with its audit and usage logs, and the first admin key.
 */
@AutoConfiguration(after = KeysAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({Filter.class, FilterRegistrationBean.class})
class KeysServletAutoConfiguration {
    static final String CORS_SOURCE_BEAN = "corsConfigurationSource";
    private static final String MVC = "org.springframework.web.servlet.HandlerMapping";

    @Bean
    KeysFilters keysFilters(KeysProperties p, Keys keys, ObjectProvider<CredentialVerifier> bearer,
                            ObjectProvider<VerificationListener> listeners) {
        return KeysFilters.of(p, keys, bearer.orderedStream(), listeners.orderedStream());
    }

    @Bean
    CorsHeaders keysCorsHeaders(ListableBeanFactory beans) {
        List<CorsConfigurationSource> sources = new ArrayList<>();
        if (beans.containsBean(CORS_SOURCE_BEAN) && beans.getBean(CORS_SOURCE_BEAN) instanceof CorsConfigurationSource s) sources.add(s);
        if (ClassUtils.isPresent(MVC, getClass().getClassLoader())) sources.add(Mvc.source(beans));
        return new CorsHeaders(sources);
    }

    @Bean
    FilterRegistrationBean<KeysServletFilter> keysFilter(KeysProperties p, KeysFilters filters, CorsHeaders cors,
                                                         ObjectProvider<KeysServletFilter.Admitted> admitted) {
        // The container maps it, so every request it sees is the application's: no scoping by path here.
        KeysServletFilter filter = new KeysServletFilter(request -> Optional.of(filters.api()), cors,
                admitted.getIfAvailable(() -> KeysServletFilter.Admitted.NONE));
        FilterRegistrationBean<KeysServletFilter> reg = new FilterRegistrationBean<>(filter);
        reg.setName("keysFilter");
        reg.setUrlPatterns(p.getFilter().getUrlPatterns());
        reg.setDispatcherTypes(EnumSet.of(DispatcherType.REQUEST));
        reg.setOrder(p.getFilter().getOrder());
        return reg;
    }

    @Bean
    @Conditional(AdminEnabled.class)
    ServletRegistrationBean<KeyAdminServlet> keysAdmin(KeysProperties p, Keys keys, AdminPolicy policy, ObjectProvider<KeysStorage> storage,
                                                       ObjectProvider<AuditLog> audit, ObjectProvider<UsageLog> usage,
                                                       ObjectProvider<ClientManager> clients) {
        KeysProperties.Admin a = p.getAdmin();
        KeyAdminServlet.Builder b = KeyAdminServlet.builder(keys).policy(policy).credentials(KeysFilters.sources(p.getCredentials()))
                .trustedProxies(TrustedProxies.of(KeysAutoConfiguration.trimmed(p.getFilter().getTrustedProxies())))
                .realm(a.getRealm()).storeRetryAfter(p.getFilter().getStoreRetryAfter()).maxBodyBytes(a.getMaxBodyBytes());
        // The starter's own logs, or the application's when it built its own Keys: GET /audit and /keys/{id}/usage need them.
        KeysStorage s = storage.getIfAvailable();
        AuditLog auditLog = s != null ? s.audit() : audit.getIfUnique();
        UsageLog usageLog = s != null ? s.usage() : usage.getIfUnique();
        if (auditLog != null) b.auditLog(auditLog);
        if (usageLog != null) b.usageLog(usageLog);
        clients.ifUnique(b::clients);
        ServletRegistrationBean<KeyAdminServlet> reg = new ServletRegistrationBean<>(b.build(), KeysFilters.adminBase(a.getPath()) + "/*");
        reg.setName("keysAdmin");
        reg.setLoadOnStartup(1);
        return reg;
    }

    @Bean
    @Conditional(AdminEnabled.class)
    AdminKeys keysAdminBootstrap(Keys keys, KeyHasher hasher, KeysProperties p) {
        return new AdminKeys(keys, hasher, p.getAdmin());
    }

    /** {@code keys.admin.path} is not {@code off}. */
    static final class AdminEnabled extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String path = context.getEnvironment().getProperty("keys.admin.path", "/admin/v1");
            return KeysProperties.OFF.equalsIgnoreCase(path.strip()) ? ConditionOutcome.noMatch("keys.admin.path is off")
                    : ConditionOutcome.match("keys.admin.path is " + path);
        }
    }

    /** Spring MVC's handler mappings, in the DispatcherServlet's order; only touched when Spring MVC is present. */
    private static final class Mvc {
        static CorsConfigurationSource source(ListableBeanFactory beans) {
            ObjectProvider<org.springframework.web.servlet.HandlerMapping> mappings =
                    beans.getBeanProvider(org.springframework.web.servlet.HandlerMapping.class);
            // Looked up on first use: the mappings are made after this bean.
            return request -> new MvcCorsSource(mappings.orderedStream().toList()).getCorsConfiguration(request);
        }
    }
}
