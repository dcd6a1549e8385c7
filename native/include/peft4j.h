/*
 * peft4j.h - the whole C ABI of the peft4j native (CUDA) library.
 *
 * Conventions:
 *  - Row-major float32 tensors; device pointers are plain float*; sizes are int64_t element counts.
 *  - A stream is a cudaStream_t passed as void* (NULL = the legacy default stream).
 *  - Every function returns an int status: PEFT4J_OK (0) or an error code; peft4j_status_string(status)
 *    gives its message. CUDA runtime errors are returned as PEFT4J_ERROR_CUDA_BASE + cudaError_t.
 *  - Arguments are validated before any CUDA call is made, so a bad call never launches a kernel.
 */
#ifndef PEFT4J_H
#define PEFT4J_H

#include <stdint.h>

#if defined(_WIN32)
#define PEFT4J_API __declspec(dllexport)
#else
#define PEFT4J_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define PEFT4J_OK 0
#define PEFT4J_ERROR_NULL_POINTER 1   /* a required pointer argument is NULL */
#define PEFT4J_ERROR_NEGATIVE_SIZE 2  /* a size argument is negative */
#define PEFT4J_ERROR_RANK 3           /* the LoRA rank r is < 1 */
#define PEFT4J_ERROR_TOO_LARGE 4      /* the problem exceeds the launch grid this library supports */
#define PEFT4J_ERROR_NO_DRIVER 5      /* libcuda.so.1 (the CUDA driver) cannot be loaded */
#define PEFT4J_ERROR_CUDA_BASE 1000   /* status = PEFT4J_ERROR_CUDA_BASE + cudaError_t */

/* The message for a status; never NULL, static storage. */
PEFT4J_API const char* peft4j_status_string(int status);

/* *count = the number of CUDA devices. Fails with PEFT4J_ERROR_NO_DRIVER when there is no driver. */
PEFT4J_API int peft4j_device_count(int* count);

/* *ptr = a new device buffer of count floats (NULL when count is 0). */
PEFT4J_API int peft4j_device_alloc(float** ptr, int64_t count);

/* Frees a buffer from peft4j_device_alloc; NULL is a no-op. */
PEFT4J_API int peft4j_device_free(float* ptr);

/* Synchronous copies of count floats between host and device. */
PEFT4J_API int peft4j_copy_to_device(float* device_dst, const float* host_src, int64_t count);
PEFT4J_API int peft4j_copy_to_host(float* host_dst, const float* device_src, int64_t count);

/* Waits until all work queued on stream (NULL = default stream) is done; reports errors of that work. */
PEFT4J_API int peft4j_synchronize(void* stream);

/*
 * Fused LoRA linear forward, asynchronous on stream:
 *   x~ = x (.) drop_mask  (x~ = x when drop_mask is NULL; the mask applies to the LoRA path only)
 *   u  = x~ A^T                         u [n, r]   (saved for the backward)
 *   y  = x W^T + bias + s * u B^T       y [n, out]
 * x [n, in], w [out, in], bias [out] or NULL, a [r, in], b [out, r], drop_mask [n, in] or NULL.
 * n, in, out >= 0, r >= 1. y and u must not alias any input. A pointer may be NULL only where its array has
 * no elements (e.g. x and a when in = 0); bias and drop_mask may always be NULL.
 */
PEFT4J_API int peft4j_lora_forward(const float* x, const float* w, const float* bias, const float* a,
                                   const float* b, float s, const float* drop_mask, float* y, float* u,
                                   int64_t n, int64_t in, int64_t out, int64_t r, void* stream);

#ifdef __cplusplus
}
#endif

#endif /* PEFT4J_H */
