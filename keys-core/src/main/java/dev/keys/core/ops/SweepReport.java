package dev.keys.core.ops;

import java.util.List;

/**
 * What one {@link Sweeper} round did.
 *
 * @param ran      false when another instance held the lease (or the lease could not be checked)
 * @param archived keys revoked with reason {@value Sweeper#EXPIRED_RETENTION}
 * @param disabled keys disabled for being unused
 * @param failed   keys a change could not be made to this round (retried next round)
 */
public record SweepReport(boolean ran, List<String> archived, List<String> disabled, List<String> failed) {
    public static final SweepReport SKIPPED = new SweepReport(false, List.of(), List.of(), List.of());

    public SweepReport {
        archived = List.copyOf(archived);
        disabled = List.copyOf(disabled);
        failed = List.copyOf(failed);
    }
}
