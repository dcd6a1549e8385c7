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
        default:
            break;
    }
    if (status > PEFT4J_ERROR_CUDA_BASE) {
        // cudaGetErrorString works without a driver or device: the strings live in the runtime.
        return cudaGetErrorString(static_cast<cudaError_t>(status - PEFT4J_ERROR_CUDA_BASE));
    }
    return "unknown peft4j status";
}
