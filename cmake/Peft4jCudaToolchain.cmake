# Include BEFORE project(): picks nvcc and the GPU architectures, which CMake fixes when the CUDA language
# is enabled.
#   PEFT4J_CUDA_ROOT          the toolkit (default: $CUDA_HOME, else /usr/local/cuda)
#   CMAKE_CUDA_ARCHITECTURES  default "80;90" (A100, H100): SASS for both plus PTX for later GPUs
#   CMAKE_BUILD_TYPE          default Release

if(NOT DEFINED PEFT4J_CUDA_ROOT)
  if(DEFINED ENV{CUDA_HOME})
    set(PEFT4J_CUDA_ROOT "$ENV{CUDA_HOME}")
  else()
    set(PEFT4J_CUDA_ROOT "/usr/local/cuda")
  endif()
endif()

if(NOT DEFINED CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX})
  if(EXISTS "${PEFT4J_CUDA_ROOT}/bin/nvcc")
    set(CMAKE_CUDA_COMPILER "${PEFT4J_CUDA_ROOT}/bin/nvcc" CACHE FILEPATH "nvcc")
  else()
    find_program(PEFT4J_NVCC nvcc)
    if(NOT PEFT4J_NVCC)
      message(FATAL_ERROR "peft4j: nvcc not found (looked in ${PEFT4J_CUDA_ROOT}/bin and on PATH); "
                          "set PEFT4J_CUDA_ROOT or CMAKE_CUDA_COMPILER")
    endif()
    set(CMAKE_CUDA_COMPILER "${PEFT4J_NVCC}" CACHE FILEPATH "nvcc")
  endif()
endif()

if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
  set(CMAKE_CUDA_ARCHITECTURES "80;90" CACHE STRING "GPU architectures to compile for")
endif()

if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()
