package dev.keys.jdbc;

import dev.keys.api.LastUseSource;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link LastUseSource} read from the usage log's table: the start of the newest minute with any verification of
 * the key ({@code MAX(period_start)}, an index range on the primary key). So a last use is known to the minute, and
 * only once the usage log has flushed it (one flush interval behind); fine for idle periods of days.
 */
public final class JdbcLastUse implements LastUseSource {
    private static final int BATCH = 500;
    private final Db db;

    JdbcLastUse(Db db) {
        this.db = db;
    }

    public static JdbcLastUse of(DataSource dataSource) {
        return JdbcStores.builder(dataSource).build().lastUse();
    }

    @Override
    public Optional<Instant> lastUse(String keyId) {
        return Optional.ofNullable(lastUses(List.of(keyId)).get(keyId));
    }

    @Override
    public Map<String, Instant> lastUses(Collection<String> keyIds) {
        List<String> ids = new ArrayList<>(keyIds);
        Map<String, Instant> out = new HashMap<>();
        for (int from = 0; from < ids.size(); from += BATCH) {
            List<String> batch = ids.subList(from, Math.min(ids.size(), from + BATCH));
            String sql = "SELECT key_id, MAX(period_start) FROM keys_usage WHERE key_id IN (" + "?,".repeat(batch.size() - 1) + "?) GROUP BY key_id";
            db.read("last use", c -> {
                try (PreparedStatement ps = db.prepare(c, sql)) {
                    for (int i = 0; i < batch.size(); i++) ps.setString(i + 1, batch.get(i));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) out.put(rs.getString(1), Db.instant(rs.getObject(2, OffsetDateTime.class)));
                    }
                }
                return null;
            });
        }
        return out;
    }
}
