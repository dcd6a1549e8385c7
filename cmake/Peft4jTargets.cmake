# Include AFTER project(): settings shared by peft4j's native targets.

# Warnings for host C++ and for the host side of .cu files.
function(peft4j_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic>
    $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall,-Wextra>)
endfunction()

# A shared library that exports only its PEFT4J_API symbols and carries the CUDA runtime inside it
# (static cudart, its symbols hidden), so it needs nothing at run time but the driver (libcuda.so.1).
function(peft4j_cuda_shared_library target)
  find_package(CUDAToolkit REQUIRED)
  set_target_properties(${target} PROPERTIES
    CUDA_RUNTIME_LIBRARY None
    CXX_VISIBILITY_PRESET hidden
    CUDA_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON
    CXX_STANDARD 17
    CXX_STANDARD_REQUIRED ON
    CUDA_STANDARD 17
    CUDA_STANDARD_REQUIRED ON)
  target_link_libraries(${target} PRIVATE CUDA::cudart_static ${CMAKE_DL_LIBS})
  target_link_options(${target} PRIVATE -Wl,--exclude-libs,ALL -Wl,--no-undefined)
  peft4j_warnings(${target})
endfunction()
