package dev.peft4j.cli;

import dev.peft4j.backend.BackendReport;
import dev.peft4j.backend.Backends;
import picocli.CommandLine.Command;

/**
 * Lists every backend found on the class path, whether it can run here and why not (or how it runs: the cpu
 * backend's vector width), and which one would be chosen, from {@link Backends#report()}.
 */
@Command(name = "backends", mixinStandardHelpOptions = true, description = "List the backends and whether each can run here.")
final class BackendsCommand implements Runnable {
    @Override
    public void run() {
        BackendReport report = Backends.report();
        System.out.printf("%-10s %-8s %s%n", "backend", "priority", "status");
        for (BackendReport.Entry e : report.entries()) {
            var a = e.availability();
            String status = !a.available() ? "unavailable: " + a.reason()
                    : a.degraded() ? "available, degraded: " + a.reason()
                    : a.reason().equals("available") ? "available" : "available: " + a.reason();
            System.out.printf("%-10s %-8d %s%n", e.name(), e.provider().priority(), status);
        }
        System.out.println(report.chosen() != null ? "chosen: " + report.chosen()
                + (report.forced() != null ? " (asked for with -D" + Backends.PROPERTY + ")" : "")
                : "chosen: none (" + (report.forced() != null ? "'" + report.forced() + "' was asked for with -D"
                        + Backends.PROPERTY + " and cannot run" : "no backend can run") + ")");
    }
}
