package dev.peft4j.backend;

import dev.peft4j.tensor.Tensor;

/**
 * Where {@link Backend#adapterBackward} writes its gradients, each named when set:
 * {@code AdapterGradients.none().withDx(dx).withDown(dWDown, dbDown).withUp(dWUp, dbUp)}. Every one is optional
 * (null: not computed). dx {@code [N,d]} is the adapter path's part only; dScale {@code [1]} is for a learned scale.
 */
public final class AdapterGradients {
    private static final AdapterGradients NONE = new AdapterGradients(null, null, null, null, null, null);

    private final Tensor dx, dWDown, dbDown, dWUp, dbUp, dScale;

    private AdapterGradients(Tensor dx, Tensor dWDown, Tensor dbDown, Tensor dWUp, Tensor dbUp, Tensor dScale) {
        this.dx = dx;
        this.dWDown = dWDown;
        this.dbDown = dbDown;
        this.dWUp = dWUp;
        this.dbUp = dbUp;
        this.dScale = dScale;
    }

    /** No gradient asked for. */
    public static AdapterGradients none() {
        return NONE;
    }

    /** The same, with dx {@code [N,d]}. */
    public AdapterGradients withDx(Tensor dx) {
        return new AdapterGradients(dx, dWDown, dbDown, dWUp, dbUp, dScale);
    }

    /** The same, with the down projection's gradients dW_d {@code [m,d]} and db_d {@code [m]} (either nullable). */
    public AdapterGradients withDown(Tensor dWDown, Tensor dbDown) {
        return new AdapterGradients(dx, dWDown, dbDown, dWUp, dbUp, dScale);
    }

    /** The same, with the up projection's gradients dW_u {@code [d,m]} and db_u {@code [d]} (either nullable). */
    public AdapterGradients withUp(Tensor dWUp, Tensor dbUp) {
        return new AdapterGradients(dx, dWDown, dbDown, dWUp, dbUp, dScale);
    }

    /** The same, with dScale {@code [1]}. */
    public AdapterGradients withDScale(Tensor dScale) {
        return new AdapterGradients(dx, dWDown, dbDown, dWUp, dbUp, dScale);
    }

    /** Gradient of x (adapter path), or null. */
    public Tensor dx() { return dx; }

    /** Gradient of W_d, or null. */
    public Tensor dWDown() { return dWDown; }

    /** Gradient of b_d, or null. */
    public Tensor dbDown() { return dbDown; }

    /** Gradient of W_u, or null. */
    public Tensor dWUp() { return dWUp; }

    /** Gradient of b_u, or null. */
    public Tensor dbUp() { return dbUp; }

    /** Gradient of the learned scale, or null. */
    public Tensor dScale() { return dScale; }
}
