// peft4j_status_string: the message for every status of the C ABI.
#include <cuda_runtime_api.h>

#include "peft4j.h"

extern "C" const char* peft4j_status_string(int status) {
    switch (status) {
        case PEFT4J_OK:
            return "ok";
        case PEFT4J_ERROR_NULL_POINTER:
            return "invalid argument: a required pointer argument is NULL";
        case PEFT4J_ERROR_NEGATIVE_SIZE:
            return "invalid argument: a size argument is negative";
        case PEFT4J_ERROR_RANK:
            return "invalid argument: the LoRA rank r must be >= 1";
        case PEFT4J_ERROR_TOO_LARGE:
            return "invalid argument: the problem is larger than the kernel's launch grid supports";
        case PEFT4J_ERROR_NO_DRIVER:
            return "no CUDA driver: libcuda.so.1 not found";
        case PEFT4J_ERROR_OVERFLOW:
            return "invalid argument: a product of sizes overflows int64";
        case PEFT4J_ERROR_ZERO_WIDTH:
            return "invalid argument: there are rows but the reduced dimension (layer norm width, classes) is 0";
        case PEFT4J_ERROR_ACTIVATION:
            return "invalid argument: unknown activation code (see PEFT4J_ACTIVATION_*)";
        case PEFT4J_ERROR_NOT_FINITE:
            return "invalid argument: a float argument is NaN or infinite";
        case PEFT4J_ERROR_OUT_OF_RANGE:
            return "invalid argument: a scalar argument is outside its range (see peft4j.h)";
        case PEFT4J_ERROR_STEP:
            return "invalid argument: the optimiser step must be >= 1";
        default:
            break;
    }
    if (status > PEFT4J_ERROR_CUDA_BASE) {
        // cudaGetErrorString works without a driver or device: the strings live in the runtime.
        return cudaGetErrorString(static_cast<cudaError_t>(status - PEFT4J_ERROR_CUDA_BASE));
    }
    return "unknown peft4j status";
}
