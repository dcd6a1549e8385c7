// Internal: turning CUDA runtime errors into peft4j statuses.
#ifndef PEFT4J_CUDA_STATUS_H
#define PEFT4J_CUDA_STATUS_H

#include <cuda_runtime_api.h>

#include "peft4j.h"

namespace peft4j {

inline int cuda_status(cudaError_t error) {
    return error == cudaSuccess ? PEFT4J_OK : PEFT4J_ERROR_CUDA_BASE + static_cast<int>(error);
}

}  // namespace peft4j

// Evaluates a CUDA runtime call and returns its status from the enclosing function when it failed.
#define PEFT4J_RETURN_IF_CUDA_ERROR(call)                                 \
    do {                                                                  \
        const cudaError_t peft4j_error_ = (call);                         \
        if (peft4j_error_ != cudaSuccess) {                               \
            return ::peft4j::cuda_status(peft4j_error_);                  \
        }                                                                 \
    } while (0)

#endif
