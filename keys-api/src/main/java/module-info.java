/**
 * The model and the SPIs of keys: what a key is ({@link dev.keys.api.ApiKey}), what a verification answers
 * ({@link dev.keys.api.Verification}, {@link dev.keys.api.Outcome}), and the interfaces stores, sinks and clocks
 * implement. No dependencies.
 */
module dev.keys.api {
    exports dev.keys.api;
}
