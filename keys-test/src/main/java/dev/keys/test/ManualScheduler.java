package dev.keys.test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScheduledExecutorService} that runs nothing by itself: a task runs on the thread that calls
 * {@link #runDue()} or {@link #advance(Duration)}, once its time on a {@link ManualClock} has come. For tests of
 * components with background work ({@code dev.keys.api.Background}): hand it in where a scheduler is taken, then
 * move time and see what ran, with no thread and no waiting.
 *
 * <p>Tasks may be scheduled from any thread (an HTTP client's callback, say); {@link #awaitPending} waits for one.
 * {@code shutdown()} and {@code shutdownNow()} cancel every task; later tasks are refused.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final ManualClock clock;
    private final PriorityQueue<Task<?>> tasks = new PriorityQueue<>();
    private long sequence;
    private boolean shutdown;

    /** Timed by {@code clock}, which the caller may also advance. */
    public ManualScheduler(ManualClock clock) {
        this.clock = clock;
    }

    /** Timed by a clock of its own, starting at the epoch. */
    public ManualScheduler() {
        this(new ManualClock(Instant.EPOCH));
    }

    public ManualClock clock() {
        return clock;
    }

    /** Runs every task that is due now, tasks they schedule for now included, in due order. */
    public int runDue() {
        return advance(Duration.ZERO);
    }

    /**
     * Moves the clock forward by {@code d}, running the tasks that fall due on the way in due order, each with the
     * clock set to its due time; periodic tasks run as often as they fall due.
     *
     * @return how many tasks ran
     */
    public int advance(Duration d) {
        if (d.isNegative()) throw new IllegalArgumentException("time does not go back");
        long target = clock.nanos() + d.toNanos();
        int ran = 0;
        while (true) {
            Task<?> next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.due > target) break;
                tasks.poll();
            }
            long now = clock.nanos();
            if (next.due > now) clock.advance(Duration.ofNanos(next.due - now));
            next.run();
            ran++;
        }
        long now = clock.nanos();
        if (target > now) clock.advance(Duration.ofNanos(target - now));
        return ran;
    }

    /** Tasks waiting to run (a periodic task counts once). */
    public synchronized int pending() {
        return tasks.size();
    }

    /** How long until the next task is due, if there is one. */
    public synchronized Optional<Duration> nextDelay() {
        Task<?> next = tasks.peek();
        return next == null ? Optional.empty() : Optional.of(Duration.ofNanos(Math.max(0, next.due - clock.nanos())));
    }

    /** Waits until a task is pending, for tasks that another thread schedules. False when none came in time. */
    public synchronized boolean awaitPending(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (tasks.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    private synchronized <V> Task<V> enqueue(Task<V> t) {
        if (shutdown) throw new RejectedExecutionException("the scheduler is shut down");
        tasks.add(t);
        notifyAll();
        return t;
    }

    private synchronized void remove(Task<?> t) {
        tasks.remove(t);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return enqueue(new Task<>(Executors.callable(command, null), at(delay, unit), 0));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return enqueue(new Task<>(callable, at(delay, unit), 0));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        if (period <= 0) throw new IllegalArgumentException("period must be positive");
        return enqueue(new Task<>(Executors.callable(command, null), at(initialDelay, unit), unit.toNanos(period)));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        if (delay <= 0) throw new IllegalArgumentException("delay must be positive");
        return enqueue(new Task<>(Executors.callable(command, null), at(initialDelay, unit), -unit.toNanos(delay)));
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    private long at(long delay, TimeUnit unit) {
        return clock.nanos() + Math.max(0, unit.toNanos(delay));
    }

    @Override
    public void shutdown() {
        shutdownNow();
    }

    @Override
    public List<Runnable> shutdownNow() {
        List<Task<?>> cancelled;
        synchronized (this) {
            shutdown = true;
            cancelled = new ArrayList<>(tasks);
            tasks.clear();
        }
        cancelled.forEach(t -> t.cancel(false));
        return new ArrayList<>(cancelled);
    }

    @Override
    public synchronized boolean isShutdown() {
        return shutdown;
    }

    @Override
    public synchronized boolean isTerminated() {
        return shutdown;
    }

    @Override
    public synchronized boolean awaitTermination(long timeout, TimeUnit unit) {
        return shutdown;
    }

    private final class Task<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {
        /** Positive: fixed rate; negative: fixed delay; zero: once. */
        private final long period;
        private final long seq;
        private volatile long due;

        Task(Callable<V> callable, long due, long period) {
            super(callable);
            this.due = due;
            this.period = period;
            synchronized (ManualScheduler.this) {
                this.seq = sequence++;
            }
        }

        @Override
        public boolean isPeriodic() {
            return period != 0;
        }

        @Override
        public void run() {
            if (!isPeriodic()) {
                super.run();
            } else if (runAndReset()) {
                due = period > 0 ? due + period : clock.nanos() - period;
                synchronized (ManualScheduler.this) {
                    if (!shutdown && !isCancelled()) tasks.add(this);
                }
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            remove(this);
            return cancelled;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - clock.nanos(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            if (other instanceof Task<?> t) {
                int c = Long.compare(due, t.due);
                return c != 0 ? c : Long.compare(seq, t.seq);
            }
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}
