package dev.keys.servlet;

import dev.keys.api.ApiKey;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;

import java.security.Principal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The request as the application sees it after {@link ApiKeyFilter} admitted it: the key as principal and its
 * roles as servlet roles; with {@code hideCredentials}, without the headers and query parameter the key can come
 * from.
 */
final class VerifiedRequest extends HttpServletRequestWrapper {
    private final ApiKeyPrincipal principal;
    private final CredentialSources hidden;
    private final String authType;

    VerifiedRequest(HttpServletRequest request, ApiKey key, CredentialSources hidden, String authType) {
        super(request);
        this.principal = new ApiKeyPrincipal(key);
        this.hidden = hidden;
        this.authType = authType;
    }

    @Override
    public Principal getUserPrincipal() {
        return principal;
    }

    @Override
    public String getRemoteUser() {
        return principal.getName();
    }

    @Override
    public boolean isUserInRole(String role) {
        return role != null && principal.key().roles().contains(role);
    }

    @Override
    public String getAuthType() {
        return authType;
    }

    private boolean hides(String name) {
        return hidden != null && name != null && hidden.isCredentialHeader(name);
    }

    private boolean hidesAuthorization(String name) {
        return hidden != null && hidden.bearer() && "Authorization".equalsIgnoreCase(name);
    }

    @Override
    public String getHeader(String name) {
        if (hides(name)) return null;
        if (hidesAuthorization(name)) {
            Enumeration<String> e = getHeaders(name);
            return e.hasMoreElements() ? e.nextElement() : null;
        }
        return super.getHeader(name);
    }

    @Override
    public Enumeration<String> getHeaders(String name) {
        if (hides(name)) return Collections.emptyEnumeration();
        Enumeration<String> values = super.getHeaders(name);
        if (!hidesAuthorization(name) || values == null) return values;
        List<String> kept = new ArrayList<>(1);
        while (values.hasMoreElements()) {
            String v = values.nextElement();
            if (!CredentialSources.isBearer(v)) kept.add(v);
        }
        return Collections.enumeration(kept);
    }

    @Override
    public Enumeration<String> getHeaderNames() {
        Enumeration<String> names = super.getHeaderNames();
        if (hidden == null || names == null) return names;
        List<String> kept = new ArrayList<>();
        while (names.hasMoreElements()) {
            String n = names.nextElement();
            if (hides(n)) continue;
            if (hidesAuthorization(n) && !getHeaders(n).hasMoreElements()) continue;
            kept.add(n);
        }
        return Collections.enumeration(kept);
    }

    @Override
    public long getDateHeader(String name) {
        return hides(name) || hidesAuthorization(name) && getHeader(name) == null ? -1 : super.getDateHeader(name);
    }

    @Override
    public int getIntHeader(String name) {
        return hides(name) || hidesAuthorization(name) && getHeader(name) == null ? -1 : super.getIntHeader(name);
    }

    private String hiddenParameter() {
        return hidden == null ? null : hidden.queryParameter().orElse(null);
    }

    @Override
    public String getQueryString() {
        String p = hiddenParameter();
        return p == null ? super.getQueryString() : CredentialSources.stripQuery(super.getQueryString(), p);
    }

    @Override
    public String getParameter(String name) {
        String p = hiddenParameter();
        return p != null && p.equals(name) ? null : super.getParameter(name);
    }

    @Override
    public String[] getParameterValues(String name) {
        String p = hiddenParameter();
        return p != null && p.equals(name) ? null : super.getParameterValues(name);
    }

    @Override
    public Map<String, String[]> getParameterMap() {
        String p = hiddenParameter();
        Map<String, String[]> m = super.getParameterMap();
        if (p == null || !m.containsKey(p)) return m;
        Map<String, String[]> copy = new LinkedHashMap<>(m);
        copy.remove(p);
        return Collections.unmodifiableMap(copy);
    }

    @Override
    public Enumeration<String> getParameterNames() {
        return Collections.enumeration(getParameterMap().keySet());
    }
}
