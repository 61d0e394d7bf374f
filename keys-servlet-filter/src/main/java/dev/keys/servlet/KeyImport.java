package dev.keys.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keys.api.Digest;
import dev.keys.core.format.KeyFormat;
import dev.keys.api.StoreException;
import dev.keys.core.lifecycle.AdminPolicy;
import dev.keys.core.lifecycle.KeyManager;
import dev.keys.core.lifecycle.NewKey;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.keys.servlet.AdminJson.bad;

/**
 * {@code POST /keys/import} (docs/contract.md §5): up to {@value #MAX_KEYS} keys a call, each given as
 * {@code key} (plaintext) or {@code sha256} (the hex SHA-256 of the plaintext, from a system that kept no more),
 * with an {@code externalId} and the fields of {@code POST /keys}. Each item stands alone: one that is wrong is
 * reported in {@code errors[{index, field, detail}]} and the others are imported; one whose tenant and external id
 * were imported before is {@code skipped}, so that a failed call can simply be sent again.
 */
final class KeyImport {
    static final int MAX_KEYS = 1000;
    /** 1,000 items of a few hundred bytes each do not fit the default body bound. */
    static final int MAX_BODY_BYTES = 4 << 20;
    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern FIELD_MESSAGE = Pattern.compile("([A-Za-z]+): (.+)");

    private KeyImport() {
    }

    static void importKeys(AdminCall call) throws IOException {
        call.query();
        ObjectNode body = call.body(true, Math.max(MAX_BODY_BYTES, call.config().maxBodyBytes()));
        AdminJson.onlyFields(body, Set.of("keys"), Set.of(), "");
        ArrayNode items = JsonFields.BODY.array(JsonFields.BODY.required(body, "", "keys"), "keys", "must be an array");
        if (items.isEmpty()) throw bad("keys", "must hold at least one key");
        if (items.size() > MAX_KEYS) throw bad("keys", "must hold at most " + MAX_KEYS + " keys");
        KeyManager m = call.config().keys();
        int imported = 0, skipped = 0;
        ArrayNode errors = AdminViews.NODES.arrayNode();
        for (int i = 0; i < items.size(); i++) {
            JsonFields.Errors e = new JsonFields.Errors();
            try {
                Optional<?> done = one(call, m, items.get(i), e);
                if (done.isPresent()) imported++;
                else skipped++;
            } catch (JsonFields.Invalid | JsonFields.Invalids ex) {
                for (JsonFields.Invalid x : e.found()) error(errors, i, x.field(), x.what());
            } catch (AdminPolicy.Refused | IllegalArgumentException ex) {
                Matcher f = FIELD_MESSAGE.matcher(ex.getMessage() == null ? "" : ex.getMessage());
                if (f.matches()) error(errors, i, f.group(1), f.group(2));
                else error(errors, i, "key", ex.getMessage());
            } catch (StoreException.Duplicate ex) {
                error(errors, i, "key", "a key with the same digest exists");
            }
        }
        ObjectNode out = AdminViews.NODES.objectNode();
        out.put("imported", imported);
        out.put("skipped", skipped);
        out.set("errors", errors);
        call.ok(out);
    }

    /** One item: the key imported (present), or found imported before (empty). */
    private static Optional<?> one(AdminCall call, KeyManager m, JsonNode node, JsonFields.Errors e) {
        ObjectNode item = e.read(() -> JsonFields.BODY.object(node, "item", "must be an object"));
        e.done();
        boolean plain = item.hasNonNull("key"), hashed = item.hasNonNull("sha256");
        if (plain == hashed) e.check(() -> { throw bad("key", plain ? "give key or sha256, not both" : "key or sha256 is required"); });
        String key = plain ? e.read(() -> AdminJson.text(item.get("key"), "key", 256)) : null;
        Digest sha256 = hashed ? e.read(() -> {
            String hex = AdminJson.text(item.get("sha256"), "sha256", 64);
            if (!HEX.matcher(hex).matches()) throw bad("sha256", "must be 64 hexadecimal digits");
            return Digest.ofHex(hex.toLowerCase(java.util.Locale.ROOT));
        }) : null;
        String externalId = e.read(() -> AdminJson.nonBlank(JsonFields.BODY.required(item, "", "externalId"), "externalId", 200));
        // A key of this format carries its prefix (docs/contract.md §2): stored as given, so that scanners and the
        // display find it by what the key itself says, never by a configured default.
        if (key != null && KeyFormat.isWellFormed(key)) {
            String own = KeyFormat.prefix(key);
            if (!item.hasNonNull("prefix")) item.put("prefix", own);
            else if (!own.equals(item.get("prefix").asText())) e.check(() -> { throw bad("prefix", "differs from the key's own prefix"); });
        }
        NewKey request = KeyResource.newKey(call, item, e, "key", "sha256", "externalId");
        return key != null ? m.importKey(key, request, externalId, call.actor()) : m.importSha256(sha256, request, externalId, call.actor());
    }

    private static void error(ArrayNode errors, int index, String field, String detail) {
        ObjectNode o = errors.addObject();
        o.put("index", index);
        o.put("field", field);
        o.put("detail", detail);
    }
}
