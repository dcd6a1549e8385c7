/**
 * The Backend SPI and how a backend is chosen. {@link dev.peft4j.backend.Backend} is the kernel contract every
 * backend implements; {@link dev.peft4j.backend.BackendProvider}s are found through {@link java.util.ServiceLoader};
 * {@link dev.peft4j.backend.Backends} picks one (cuda, else cpu, else the plain-Java fallback; the float64 reference
 * only by name), configured by {@link dev.peft4j.backend.BackendOptions}, shares one per JVM
 * ({@link dev.peft4j.backend.Backends#shared()}) and reports what it found ({@link dev.peft4j.backend.BackendReport}).
 * {@link dev.peft4j.backend.ValidatingBackend} checks every argument before a kernel runs;
 * {@link dev.peft4j.backend.ProfilingBackend} times the kernels.
 */
package dev.peft4j.backend;
