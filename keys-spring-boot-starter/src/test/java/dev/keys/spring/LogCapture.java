package dev.keys.spring;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * What keys logged (System.Logger is backed by java.util.logging here), kept from before an application starts:
 * install it in a static initializer of the test class.
 */
final class LogCapture {
    private final Logger logger = Logger.getLogger("dev.keys");   // held: a collected logger would lose the handler
    private final List<String> lines = new CopyOnWriteArrayList<>();

    LogCapture() {
        SimpleFormatter f = new SimpleFormatter();
        Handler h = new Handler() {
            @Override public void publish(LogRecord r) { lines.add(r.getLevel() + " " + f.formatMessage(r)); }
            @Override public void flush() { }
            @Override public void close() { }
        };
        h.setLevel(Level.ALL);
        logger.addHandler(h);
    }

    List<String> lines() {
        return List.copyOf(lines);
    }
}
