package dev.keys.api;

/**
 * One entry of a store's change feed: the key with this id and digest changed at this sequence number. A change
 * whose key id is {@link #ALL} tells the reader that it fell behind the retained feed and must drop every cached
 * entry.
 */
public record KeyChange(long sequence, String keyId, Digest digest) {
    public static final String ALL = "*";

    public boolean resetsAll() {
        return ALL.equals(keyId);
    }
}
