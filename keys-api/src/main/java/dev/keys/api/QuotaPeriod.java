package dev.keys.api;

/** A calendar period for quotas, in the deployment's configured zone. */
public enum QuotaPeriod {
    DAY, WEEK, MONTH;

    /** @throws IllegalArgumentException naming the accepted values */
    public static QuotaPeriod parse(String text) {
        for (QuotaPeriod p : values()) {
            if (p.name().equalsIgnoreCase(text)) return p;
        }
        throw new IllegalArgumentException("period must be DAY, WEEK or MONTH");
    }
}
