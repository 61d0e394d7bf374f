package dev.keys.jdbc;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/** A data source in front of another that can be switched off and counts the statements prepared with a given text. */
final class ProbeDataSource implements DataSource {
    private final DataSource delegate;
    private final String counted;
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicInteger statements = new AtomicInteger();

    ProbeDataSource(DataSource delegate, String countStatementsContaining) {
        this.delegate = delegate;
        this.counted = countStatementsContaining;
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (down.get()) throw new SQLTransientConnectionException("switched off (test)", "08001");
        Connection c = delegate.getConnection();
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class}, (p, m, args) -> {
            if (m.getName().equals("prepareStatement") && args != null && args[0] instanceof String sql && sql.contains(counted)) {
                statements.incrementAndGet();
            }
            try {
                return m.invoke(c, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Override
    public Connection getConnection(String user, String password) {
        throw new UnsupportedOperationException();
    }

    @Override public PrintWriter getLogWriter() throws SQLException { return delegate.getLogWriter(); }
    @Override public void setLogWriter(PrintWriter out) throws SQLException { delegate.setLogWriter(out); }
    @Override public void setLoginTimeout(int seconds) throws SQLException { delegate.setLoginTimeout(seconds); }
    @Override public int getLoginTimeout() throws SQLException { return delegate.getLoginTimeout(); }
    @Override public Logger getParentLogger() throws SQLFeatureNotSupportedException { throw new SQLFeatureNotSupportedException(); }
    @Override public <T> T unwrap(Class<T> iface) throws SQLException { return delegate.unwrap(iface); }
    @Override public boolean isWrapperFor(Class<?> iface) throws SQLException { return delegate.isWrapperFor(iface); }
}
