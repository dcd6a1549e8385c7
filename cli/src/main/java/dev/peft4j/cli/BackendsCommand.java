package dev.peft4j.cli;

import dev.peft4j.backend.Availability;
import dev.peft4j.backend.BackendProvider;
import dev.peft4j.backend.Backends;
import picocli.CommandLine.Command;

/** Lists every backend found on the class path, whether it can run here, and why not. */
@Command(name = "backends", mixinStandardHelpOptions = true, description = "List the backends and whether each can run here.")
final class BackendsCommand implements Runnable {
    @Override
    public void run() {
        System.out.printf("%-10s %-8s %s%n", "backend", "priority", "status");
        for (BackendProvider p : Backends.providers()) {
            Availability a = p.availability();
            System.out.printf("%-10s %-8d %s%n", p.name(), p.priority(), a.available() ? "available" : "unavailable: " + a.reason());
        }
    }
}
