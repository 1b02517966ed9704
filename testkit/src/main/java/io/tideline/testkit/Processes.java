package io.tideline.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Process liveness that treats zombies as dead: PID 1 in some sandboxes never reaps orphans. */
final class Processes {

    private Processes() {
    }

    static boolean isRunning(long pid) {
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // the state follows the command name, which is in parentheses and may itself contain spaces
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException e) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }
}
