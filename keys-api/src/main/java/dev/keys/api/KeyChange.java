package dev.keys.api;

/**
 * One entry of a store's change feed: the key with this id and digest changed at this sequence number. A change
 * whose key id is {@link #ALL} tells the reader that it fell behind the retained feed and must drop every cached
 * entry; one whose key id is {@link #ROLES} that the store's {@link RoleStore} changed (its digest is all zeros),
 * so that the reader reloads the roles. Neither id is ever a key's.
 */
public record KeyChange(long sequence, String keyId, Digest digest) {
    public static final String ALL = "*";
    public static final String ROLES = "*roles";

    public boolean resetsAll() {
        return ALL.equals(keyId);
    }

    public boolean changesRoles() {
        return ROLES.equals(keyId);
    }
}
