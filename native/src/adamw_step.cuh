// Internal: one AdamW step on one element (dev.peft4j.backend.AdamW), shared by the multi-tensor AdamW and
// the fused masked BitFit update. For step t >= 1:
//   m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2,  m^ = m / (1 - b1^t),  v^ = v / (1 - b2^t)
//   theta <- theta - lr (m^ / (sqrt(v^) + eps) + wd theta)
// The bias corrections 1 - b^t are computed once on the host, in double.
#ifndef PEFT4J_ADAMW_STEP_CUH
#define PEFT4J_ADAMW_STEP_CUH

#include <cmath>
#include <cstdint>

namespace peft4j {

struct AdamWStep {
    float lr, beta1, beta2, eps, weight_decay;
    float correction1;  // 1 - beta1^step
    float correction2;  // 1 - beta2^step

    static AdamWStep make(float lr, float beta1, float beta2, float eps, float weight_decay, int64_t step) {
        const double t = static_cast<double>(step);
        return AdamWStep{lr, beta1, beta2, eps, weight_decay,
                         static_cast<float>(1.0 - std::pow(static_cast<double>(beta1), t)),
                         static_cast<float>(1.0 - std::pow(static_cast<double>(beta2), t))};
    }

    __device__ void apply(float& theta, float& m, float& v, float g) const {
        const float m_new = beta1 * m + (1.0f - beta1) * g;
        const float v_new = beta2 * v + (1.0f - beta2) * g * g;
        const float m_hat = m_new / correction1;
        const float v_hat = v_new / correction2;
        theta -= lr * (m_hat / (sqrtf(v_hat) + eps) + weight_decay * theta);
        m = m_new;
        v = v_new;
    }
};

}  // namespace peft4j

#endif
