package dev.peft4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TrainConfigTest {

    @Test
    void eachWitherChangesItsFieldAndKeepsEveryDefault() {
        TrainConfig d = TrainConfig.defaults();
        TrainConfig c = d.withEpochs(7).withBatchSize(5).withLr(2e-3f).withSeed(9);
        assertEquals(new TrainConfig(7, 5, 2e-3f, d.weightDecay(), d.warmupFraction(), d.decay(), d.maxGradNorm(),
                d.accumulationSteps(), d.evalEvery(), d.patience(), 9), c);
        assertEquals(d, d.withEpochs(d.epochs()).withBatchSize(d.batchSize()).withLr(d.lr()).withSeed(d.seed()));
    }
}
