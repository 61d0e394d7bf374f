package dev.keys.api;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * A component with periodic work of its own (a usage log's flush, a change-feed poll, alert evaluation) that runs
 * that work on a scheduler it is handed instead of on a thread it starts. A {@code Keys} hands its one scheduler to
 * every component it is given that implements this, so that all background work of one {@code Keys} shares one
 * daemon thread and stops with it.
 *
 * <p>What implementations promise:
 * <ul>
 * <li>Nothing runs before {@link #start}: constructors start no thread and schedule nothing.</li>
 * <li>Only the first call of {@code start} counts; later calls, and calls after {@code close()}, are ignored. A
 * component can be reached along two paths (a usage log given to a verifier and also wrapped by an alerting sink),
 * and must then start once.</li>
 * <li>Tasks are short: they never wait without a bound (I/O has timeouts), since on a shared thread a task that
 * blocks holds up every other component's work; and they never let an exception out (a periodic task that throws
 * is not run again).</li>
 * <li>{@code close()} cancels what the component scheduled and never shuts the scheduler down: it belongs to whoever
 * made it.</li>
 * </ul>
 */
public interface Background {

    /** Schedules this component's work on {@code scheduler} and returns at once. */
    void start(ScheduledExecutorService scheduler);

    /**
     * A scheduler on one daemon thread named {@code threadName}, made when the first task is scheduled: what a
     * {@code Keys} uses by default, and what a component used on its own can be started on. Cancelled tasks are
     * removed at once, and tasks still waiting for their time do not run after {@code shutdown()}. Whoever makes it
     * shuts it down.
     */
    static ScheduledExecutorService daemonScheduler(String threadName) {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        s.setRemoveOnCancelPolicy(true);
        s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return s;
    }
}
