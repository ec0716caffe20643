package io.gatehouse.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Group commit: rows that many requests want committed at the same moment are written together, in one statement
 * (one round trip, one transaction, one WAL flush), and each caller returns only once its own row has committed —
 * or throws if it did not. No thread of its own: the first caller to find nobody writing writes everything queued,
 * the others wait for that. Alone, a row is written at once, as before; under load, batches form by themselves.
 * A batch that fails is retried row by row, so one bad row fails only its own caller.
 */
final class GroupCommit<T> {

    /** The most rows one statement carries. */
    static final int MAX_BATCH = 128;
    /** How long a waiter waits before it looks again whether it should write (a bound, not a pacing delay). */
    private static final long RECHECK_MILLIS = 2;

    private record Pending<T>(T row, CompletableFuture<Void> committed) {
    }

    private final ConcurrentLinkedQueue<Pending<T>> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock writing = new ReentrantLock();
    private final Consumer<List<T>> writeBatch;

    /** {@code writeBatch}: writes and commits all the rows, or throws (then nothing of them committed). */
    GroupCommit(Consumer<List<T>> writeBatch) {
        this.writeBatch = writeBatch;
    }

    /** Returns when {@code row} has committed; throws what writing it threw. */
    void commit(T row) {
        Pending<T> mine = new Pending<>(row, new CompletableFuture<>());
        queue.add(mine);
        while (!mine.committed().isDone()) {
            if (writing.tryLock()) {
                try {
                    drain();
                } finally {
                    writing.unlock();
                }
            } else {
                try {
                    mine.committed().get(RECHECK_MILLIS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException stillQueued) {
                    // the writer may have finished just before this row was queued: look again
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while the audit row was being written", e);
                } catch (ExecutionException failed) {
                    break; // reported below
                }
            }
        }
        try {
            mine.committed().join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException failure ? failure : e; // the writer's own failure (a 503)
        }
    }

    private void drain() {
        List<Pending<T>> batch = new ArrayList<>();
        while (!queue.isEmpty()) {
            batch.clear();
            for (Pending<T> next; batch.size() < MAX_BATCH && (next = queue.poll()) != null;) {
                batch.add(next);
            }
            write(batch);
        }
    }

    private void write(List<Pending<T>> batch) {
        try {
            writeBatch.accept(batch.stream().map(Pending::row).toList());
            batch.forEach(pending -> pending.committed().complete(null));
        } catch (RuntimeException batchFailed) {
            if (batch.size() == 1) {
                batch.get(0).committed().completeExceptionally(batchFailed);
                return;
            }
            for (Pending<T> pending : batch) {
                try {
                    writeBatch.accept(List.of(pending.row()));
                    pending.committed().complete(null);
                } catch (RuntimeException failed) {
                    pending.committed().completeExceptionally(failed);
                }
            }
        }
    }
}
