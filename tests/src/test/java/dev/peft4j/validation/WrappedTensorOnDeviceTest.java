package dev.peft4j.validation;

import static dev.peft4j.validation.Rejections.rejects;

import dev.peft4j.backend.Backend;
import dev.peft4j.backend.ValidatingBackend;
import dev.peft4j.tensor.Device;
import dev.peft4j.tensor.Tensor;
import java.lang.reflect.Proxy;
import org.junit.jupiter.api.Test;

/**
 * A tensor wrapping a caller's array lives on the host: a device backend refuses it before any kernel runs,
 * and the message says how host data reaches the device.
 */
class WrappedTensorOnDeviceTest {

    /** A backend that says it computes on CUDA and fails if any kernel is reached. */
    private static Backend deviceBackend() {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "device" -> Device.CUDA;
                    case "name" -> "device-only";
                    default -> throw new AssertionError("kernel " + method.getName() + " reached with a host tensor");
                });
    }

    @Test
    void aDeviceBackendRefusesWrappedHostTensorsAndPointsToFromHost() {
        Backend b = new ValidatingBackend(deviceBackend());
        float[] caller = new float[40];
        Tensor x = Tensor.wrap(caller, 3, 2, 4);
        Tensor w = Tensor.wrap(caller, 11, 3, 4);
        Tensor y = Tensor.wrap(caller, 23, 2, 3);
        rejects(IllegalArgumentException.class, () -> b.linearForward(x, w, null, y),
                "linearForward", "x", "lives on CPU", "CUDA", "fromHost");
        rejects(IllegalArgumentException.class, () -> b.activationForward(dev.peft4j.backend.Activation.GELU, x, x),
                "activationForward", "fromHost");
    }
}
