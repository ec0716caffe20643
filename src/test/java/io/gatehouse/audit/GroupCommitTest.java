package io.gatehouse.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

/** The group commit's promises, under real concurrency: every row once, each caller answered after its own commit. */
class GroupCommitTest {

    @Test
    void everyRowIsWrittenOnceAndEachCallerReturnsOnlyAfterItsRowCommitted() throws Exception {
        Set<Integer> committed = ConcurrentHashMap.newKeySet();
        List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
        GroupCommit<Integer> group = new GroupCommit<>(rows -> {
            for (Integer row : rows) {
                assertThat(committed.add(row)).as("row %d written twice", row).isTrue();
            }
            batchSizes.add(rows.size());
        });
        int callers = 32;
        int rowsEach = 200;
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            int caller = c;
            results.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < rowsEach; i++) {
                    int row = caller * rowsEach + i;
                    group.commit(row);
                    if (!committed.contains(row)) {
                        return false; // returned before its row was written
                    }
                }
                return true;
            }));
        }
        start.countDown();
        for (Future<Boolean> result : results) {
            assertThat(result.get()).isTrue();
        }
        pool.shutdown();
        assertThat(committed).hasSize(callers * rowsEach);
        assertThat(batchSizes).allMatch(size -> size <= GroupCommit.MAX_BATCH);
        // With 32 callers at once, rows did share statements.
        assertThat(batchSizes.size()).isLessThan(callers * rowsEach);
    }

    @Test
    void aRowTheDatabaseRefusesFailsOnlyItsOwnCaller() throws Exception {
        Set<Integer> committed = ConcurrentHashMap.newKeySet();
        GroupCommit<Integer> group = new GroupCommit<>(rows -> {
            if (rows.contains(13)) {
                throw new IllegalStateException("row 13 violates a constraint"); // the whole statement fails
            }
            committed.addAll(rows);
        });
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> results = new ArrayList<>();
        for (int row = 0; row < 64; row++) {
            int mine = row;
            results.add(pool.submit(() -> {
                start.await();
                group.commit(mine);
                return null;
            }));
        }
        start.countDown();
        for (int row = 0; row < 64; row++) {
            Future<?> result = results.get(row);
            if (row == 13) {
                assertThatThrownBy(result::get).hasRootCauseInstanceOf(IllegalStateException.class)
                        .hasRootCauseMessage("row 13 violates a constraint");
            } else {
                result.get();
            }
        }
        pool.shutdown();
        assertThat(committed).hasSize(63).doesNotContain(13);
    }
}
