// Device discovery, device memory and synchronisation of the C ABI.
#include <dlfcn.h>

#include <cstdint>

#include <cuda_runtime_api.h>

#include "cuda_status.h"
#include "peft4j.h"

namespace {

// The statically linked runtime loads the driver itself; probing first gives a clearer reason than
// "CUDA driver version is insufficient" when there is no driver at all.
bool driver_loadable() {
    void* handle = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (handle == nullptr) {
        return false;
    }
    dlclose(handle);
    return true;
}

}  // namespace

extern "C" int peft4j_device_count(int* count) {
    if (count == nullptr) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    *count = 0;
    if (!driver_loadable()) {
        return PEFT4J_ERROR_NO_DRIVER;
    }
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaGetDeviceCount(count));
    return PEFT4J_OK;
}

extern "C" int peft4j_device_alloc(float** ptr, int64_t count) {
    if (ptr == nullptr) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    *ptr = nullptr;
    if (count < 0) {
        return PEFT4J_ERROR_NEGATIVE_SIZE;
    }
    if (count > INT64_MAX / static_cast<int64_t>(sizeof(float))) {
        return PEFT4J_ERROR_OVERFLOW;
    }
    if (count == 0) {
        return PEFT4J_OK;
    }
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaMalloc(reinterpret_cast<void**>(ptr), static_cast<size_t>(count) * sizeof(float)));
    return PEFT4J_OK;
}

extern "C" int peft4j_device_free(float* ptr) {
    if (ptr == nullptr) {
        return PEFT4J_OK;
    }
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaFree(ptr));
    return PEFT4J_OK;
}

namespace {

int copy_bytes(void* dst, const void* src, int64_t bytes, cudaMemcpyKind kind) {
    if (bytes < 0) {
        return PEFT4J_ERROR_NEGATIVE_SIZE;
    }
    if (bytes == 0) {
        return PEFT4J_OK;
    }
    if (dst == nullptr || src == nullptr) {
        return PEFT4J_ERROR_NULL_POINTER;
    }
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaMemcpy(dst, src, static_cast<size_t>(bytes), kind));
    return PEFT4J_OK;
}

int copy(void* dst, const void* src, int64_t count, cudaMemcpyKind kind) {
    if (count > INT64_MAX / static_cast<int64_t>(sizeof(float))) {
        return PEFT4J_ERROR_OVERFLOW;
    }
    return copy_bytes(dst, src, count * static_cast<int64_t>(sizeof(float)), kind);
}

}  // namespace

extern "C" int peft4j_copy_to_device(float* device_dst, const float* host_src, int64_t count) {
    return copy(device_dst, host_src, count, cudaMemcpyHostToDevice);
}

extern "C" int peft4j_copy_to_host(float* host_dst, const float* device_src, int64_t count) {
    return copy(host_dst, device_src, count, cudaMemcpyDeviceToHost);
}

extern "C" int peft4j_copy_bytes_to_device(void* device_dst, const void* host_src, int64_t bytes) {
    return copy_bytes(device_dst, host_src, bytes, cudaMemcpyHostToDevice);
}

extern "C" int peft4j_synchronize(void* stream) {
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaStreamSynchronize(static_cast<cudaStream_t>(stream)));
    return PEFT4J_OK;
}

extern "C" int peft4j_stream_create(void** stream) {
    if (stream == nullptr) return PEFT4J_ERROR_NULL_POINTER;
    *stream = nullptr;
    cudaStream_t created = nullptr;
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaStreamCreate(&created));
    *stream = created;
    return PEFT4J_OK;
}

extern "C" int peft4j_stream_destroy(void* stream) {
    if (stream == nullptr) return PEFT4J_OK;
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaStreamDestroy(static_cast<cudaStream_t>(stream)));
    return PEFT4J_OK;
}

extern "C" int peft4j_host_alloc_pinned(void** staging, int64_t bytes) {
    if (staging == nullptr) return PEFT4J_ERROR_NULL_POINTER;
    *staging = nullptr;
    if (bytes < 0) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (bytes == 0) return PEFT4J_OK;
    void* p = nullptr;
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaMallocHost(&p, static_cast<size_t>(bytes)));
    *staging = p;
    return PEFT4J_OK;
}

extern "C" int peft4j_host_free_pinned(void* staging) {
    if (staging == nullptr) return PEFT4J_OK;
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaFreeHost(staging));
    return PEFT4J_OK;
}

extern "C" int peft4j_event_create(void** event) {
    if (event == nullptr) return PEFT4J_ERROR_NULL_POINTER;
    *event = nullptr;
    cudaEvent_t created = nullptr;
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaEventCreateWithFlags(&created, cudaEventDisableTiming));
    *event = created;
    return PEFT4J_OK;
}

extern "C" int peft4j_event_destroy(void* event) {
    if (event == nullptr) return PEFT4J_OK;
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaEventDestroy(static_cast<cudaEvent_t>(event)));
    return PEFT4J_OK;
}

extern "C" int peft4j_copy_to_device_async(void* device_dst, const void* pinned_src, int64_t bytes, void* event,
                                           void* stream) {
    if (bytes < 0) return PEFT4J_ERROR_NEGATIVE_SIZE;
    if (event == nullptr) return PEFT4J_ERROR_NULL_POINTER;
    if (bytes > 0 && (device_dst == nullptr || pinned_src == nullptr)) return PEFT4J_ERROR_NULL_POINTER;
    cudaStream_t s = static_cast<cudaStream_t>(stream);
    if (bytes > 0) {
        PEFT4J_RETURN_IF_CUDA_ERROR(
            cudaMemcpyAsync(device_dst, pinned_src, static_cast<size_t>(bytes), cudaMemcpyHostToDevice, s));
    }
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaEventRecord(static_cast<cudaEvent_t>(event), s));
    return PEFT4J_OK;
}

extern "C" int peft4j_event_synchronize(void* event) {
    if (event == nullptr) return PEFT4J_ERROR_NULL_POINTER;
    PEFT4J_RETURN_IF_CUDA_ERROR(cudaEventSynchronize(static_cast<cudaEvent_t>(event)));
    return PEFT4J_OK;
}
