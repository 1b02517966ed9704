package io.tideline.bench.runtime;

import io.tideline.api.ChangeEvent;
import io.tideline.api.SinkWriter;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The same work as the real-time pipeline, done the classic micro-batch way (Spark's default trigger): the source
 * appends to an input buffer; every {@code intervalMs} the driver takes what arrived, runs stage 1 (the
 * operators) on {@code parallelism} tasks, shuffles by sink partition, then runs stage 2 (the sink writes and a
 * prepare per writer) on {@code parallelism} tasks. Stages run one after the other; a late batch starts the next
 * one at once. The buffer is bounded ({@code maxBuffered}), which backpressures the source.
 */
final class MicroBatchBaseline {

    private final BenchWorkload workload;
    private final LatencySink sink;
    private final int parallelism;
    private final long intervalNanos;
    private final int maxBuffered;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private List<ChangeEvent> buffer = new ArrayList<>();
    private volatile boolean sourceDone;
    int batches;

    MicroBatchBaseline(BenchWorkload workload, LatencySink sink, int parallelism, long intervalMs, int maxBuffered) {
        this.workload = workload;
        this.sink = sink;
        this.parallelism = parallelism;
        this.intervalNanos = intervalMs * 1_000_000;
        this.maxBuffered = maxBuffered;
    }

    void run() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        SinkWriter[] writers = new SinkWriter[parallelism];
        for (int w = 0; w < parallelism; w++) writers[w] = sink.openWriter(w, parallelism);
        Thread source = new Thread(this::produce, "baseline-source");
        source.start();
        try {
            long next = System.nanoTime() + intervalNanos;
            long batchId = 0;
            while (true) {
                long wait = next - System.nanoTime();
                if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                boolean last = sourceDone;
                List<ChangeEvent> batch;
                lock.lock();
                try {
                    batch = buffer;
                    buffer = new ArrayList<>();
                    notFull.signalAll();
                } finally {
                    lock.unlock();
                }
                if (!batch.isEmpty()) {
                    process(batch, ++batchId, pool, writers);
                    batches++;
                }
                if (last && batch.isEmpty()) break;
                next = Math.max(next + intervalNanos, System.nanoTime());
            }
        } finally {
            source.join();
            pool.shutdownNow();
        }
    }

    private void produce() {
        SplittableRandom random = new SplittableRandom(42);
        long start = System.nanoTime();
        try {
            for (int i = 0; i < workload.records; i++) {
                ChangeEvent e = workload.event(i, random);
                long emit = workload.awaitSchedule(i, start);
                lock.lock();
                try {
                    while (buffer.size() >= maxBuffered) notFull.await();
                    workload.emitNanos[i] = workload.rate > 0 ? emit : System.nanoTime();
                    buffer.add(e);
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sourceDone = true;
        }
    }

    private void process(List<ChangeEvent> batch, long batchId, ExecutorService pool, SinkWriter[] writers) throws Exception {
        int p = parallelism;
        // stage 1: input partitions by key, operators, shuffle output by sink partition
        @SuppressWarnings("unchecked") List<ChangeEvent>[][] shuffled = new List[p][p];
        List<Callable<Void>> stage1 = new ArrayList<>();
        List<List<ChangeEvent>> inputs = new ArrayList<>();
        for (int i = 0; i < p; i++) inputs.add(new ArrayList<>(batch.size() / p + 16));
        for (ChangeEvent e : batch) inputs.get(Math.floorMod(e.keyHash(), p)).add(e);
        for (int t = 0; t < p; t++) {
            int task = t;
            stage1.add(() -> {
                for (int w = 0; w < p; w++) shuffled[task][w] = new ArrayList<>();
                for (ChangeEvent e : inputs.get(task)) {
                    ChangeEvent out = workload.operators.apply(e);
                    if (out != null) shuffled[task][sink.writerFor(out, p)].add(out);
                }
                return null;
            });
        }
        for (Future<Void> f : pool.invokeAll(stage1)) f.get();
        // stage 2: each sink partition written by one task, then made durable
        List<Callable<Void>> stage2 = new ArrayList<>();
        for (int w = 0; w < p; w++) {
            int writer = w;
            stage2.add(() -> {
                for (int t = 0; t < p; t++) {
                    for (ChangeEvent e : shuffled[t][writer]) writers[writer].write(e, batchId);
                }
                writers[writer].prepare(batchId);
                return null;
            });
        }
        for (Future<Void> f : pool.invokeAll(stage2)) f.get();
    }
}
