package io.tideline.runtime;

import io.micrometer.core.instrument.Counter;
import io.tideline.api.ChangeEvent;
import io.tideline.api.Sink;

/**
 * The operator stage: applies the per-table operators, then shuffles each change to the writer that owns its
 * output partition in every sink ({@link Sink#writerFor}), so each output partition has exactly one writer.
 */
final class OperatorProcessor implements Processor {

    private final Operators operators;
    private final Sink[] sinks;
    private final Channel[][] outputs; // [sink][writer]
    private final Control control;
    private final Counter in;
    private final Counter out;

    OperatorProcessor(Operators operators, Sink[] sinks, Channel[][] outputs, Control control, Counter in, Counter out) {
        this.operators = operators;
        this.sinks = sinks;
        this.outputs = outputs;
        this.control = control;
        this.in = in;
        this.out = out;
    }

    @Override
    public void onRecord(Envelope record) {
        in.increment();
        ChangeEvent changed = operators.apply(record.event());
        if (changed == null) return;
        Envelope next = changed == record.event() ? record : record.withEvent(changed);
        for (int s = 0; s < sinks.length; s++) {
            Channel[] writers = outputs[s];
            if (sinks[s].everyWriterTakes(changed)) {
                for (Channel c : writers) emit(c, next);
            } else {
                emit(writers[Routing.writerFor(sinks[s], changed, writers.length)], next);
            }
        }
        out.increment();
    }

    @Override
    public void onBarrier(Barrier barrier) {
        for (Channel[] writers : outputs) {
            for (Channel c : writers) emit(c, barrier);
        }
    }

    private void emit(Channel channel, Object item) {
        if (!channel.put(item, control::aborted)) throw new AbortedException();
    }
}
