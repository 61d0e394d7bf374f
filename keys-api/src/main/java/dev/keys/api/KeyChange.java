package dev.keys.api;

/** One entry of a store's change feed: the key with this id changed at this sequence number. */
public record KeyChange(long sequence, String keyId, Digest digest) {
}
