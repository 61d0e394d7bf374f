package dev.keys.core.authz;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Named sets of permissions, immutable. Built in code with {@link #builder()}, loaded by
 * {@code dev.keys.servlet.PolicyLoader}, or stored at run time ({@link RoleCatalog}); each role knows which
 * ({@link #sourceOf}). Role names are case-sensitive, 1 to 64 of {@code [A-Za-z0-9._:-]}.
 */
public final class Roles {

    /** No roles. */
    public static final Roles EMPTY = new Roles(Map.of(), Map.of());

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    /** Where a role is defined: in code, in a policy file, or in the key store at run time (read-write there only). */
    public enum Source {
        CODE, POLICY, STORE;

        /** {@code code}, {@code policy} or {@code store}, as the admin API says it. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Map<String, Set<String>> roles;
    private final Map<String, Source> sources;

    private Roles(Map<String, Set<String>> roles, Map<String, Source> sources) {
        this.roles = roles;
        this.sources = sources;
    }

    /** Whether {@code name} is a valid role name. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The flattened permissions of the named roles and the direct permissions. Unknown role names grant nothing;
     * see {@link #unknown(Set)}.
     *
     * @throws IllegalArgumentException when a direct permission is not valid
     */
    public Permissions flatten(Set<String> roleNames, Set<String> directPermissions) {
        List<String> all = new ArrayList<>(directPermissions);
        for (String r : roleNames) {
            Set<String> p = roles.get(r);
            if (p != null) all.addAll(p);
        }
        return Permissions.compile(all);
    }

    /** The names among {@code roleNames} that no role here defines, sorted. */
    public Set<String> unknown(Set<String> roleNames) {
        Set<String> out = new TreeSet<>();
        for (String r : roleNames) if (!roles.containsKey(r)) out.add(r);
        return Collections.unmodifiableSet(out);
    }

    /** The role names, in definition order. */
    public Set<String> names() {
        return roles.keySet();
    }

    /** The permissions of one role. */
    public Optional<Set<String>> permissionsOf(String role) {
        return Optional.ofNullable(roles.get(role));
    }

    /** Where the role is defined, empty when it is not. */
    public Optional<Source> sourceOf(String role) {
        return Optional.ofNullable(sources.get(role));
    }

    @Override
    public String toString() {
        return "Roles" + roles;
    }

    /** Collects role definitions; {@link #build()} returns the immutable {@link Roles}. */
    public static final class Builder {
        private final Map<String, Set<String>> roles = new LinkedHashMap<>();
        private final Map<String, Source> sources = new LinkedHashMap<>();
        private Source source = Source.CODE;

        private Builder() {
        }

        /** The source of the roles defined next ({@code PolicyLoader} says {@code POLICY}). Default {@code CODE}. */
        public Builder source(Source s) {
            source = Objects.requireNonNull(s, "source");
            return this;
        }

        /** Every role of {@code other}, with its source. @throws IllegalArgumentException when one is defined here already */
        public Builder addAll(Roles other) {
            for (String name : other.names()) {
                if (roles.containsKey(name)) throw new IllegalArgumentException("role \"" + name + "\" is defined twice");
                roles.put(name, other.roles.get(name));
                sources.put(name, other.sources.get(name));
            }
            return this;
        }

        /**
         * Defines a role.
         *
         * @throws IllegalArgumentException when the name is invalid or already defined, or a permission is invalid
         */
        public Builder role(String name, Collection<String> permissions) {
            Objects.requireNonNull(name, "role name");
            Objects.requireNonNull(permissions, "permissions");
            if (!isValidName(name))
                throw new IllegalArgumentException("invalid role name \"" + name + "\": use 1 to 64 of A-Z a-z 0-9 . _ : -");
            if (roles.containsKey(name)) throw new IllegalArgumentException("role \"" + name + "\" is defined twice");
            for (String p : permissions) {
                try {
                    Permissions.validate(p);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("role \"" + name + "\": " + e.getMessage(), e);
                }
            }
            roles.put(name, Collections.unmodifiableSet(new LinkedHashSet<>(permissions)));
            sources.put(name, source);
            return this;
        }

        public Roles build() {
            return roles.isEmpty() ? EMPTY
                    : new Roles(Collections.unmodifiableMap(new LinkedHashMap<>(roles)), Collections.unmodifiableMap(new LinkedHashMap<>(sources)));
        }
    }
}
