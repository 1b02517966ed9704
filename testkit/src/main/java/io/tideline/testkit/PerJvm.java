package io.tideline.testkit;

import java.util.function.Supplier;

/** A service started once per JVM (test fork), on first use, by whichever thread asks first. */
final class PerJvm<T> {

    private final Supplier<T> start;
    private volatile T instance;

    PerJvm(Supplier<T> start) {
        this.start = start;
    }

    T get() {
        T current = instance;
        if (current == null) {
            synchronized (this) {
                current = instance;
                if (current == null) {
                    current = start.get();
                    instance = current;
                }
            }
        }
        return current;
    }
}
