/**
 * The SQL migrations keys-jdbc-store ships, as resources ({@code V<n>__<name>.sql}); a package of its own so that
 * the module can open it and the migrations are found on the module path as on the class path.
 */
package dev.keys.jdbc.migration;
