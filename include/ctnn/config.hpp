// ctnn: version and the few macros every header may use. Standard library only.
#pragma once

#define CTNN_VERSION_MAJOR 0
#define CTNN_VERSION_MINOR 1
#define CTNN_VERSION_PATCH 0

// Functors that run inside thrust::transform on CUDA must be __host__ __device__; under g++ the
// same tags are plain functions, so one definition serves every backend.
#if defined(__CUDACC__)
#define CTNN_HOST_DEVICE __host__ __device__
#else
#define CTNN_HOST_DEVICE
#endif

// A small helper that the compiler must inline even inside a large kernel body, where its
// heuristics give up: a call there would pass a struct through the stack for every register
// (rnn_cells::row_of, as a call, had 4 to 8% of char_rnn's training samples).
#if defined(__CUDACC__)
#define CTNN_ALWAYS_INLINE __forceinline__
#elif defined(__GNUC__)
#define CTNN_ALWAYS_INLINE [[gnu::always_inline]] inline
#else
#define CTNN_ALWAYS_INLINE inline
#endif

// Run-once code (file formats, data set readers, text reports) is not a template, so a header-only
// library compiles it again in every translation unit that includes it: about 3 s of mnist_mlp's
// compile time. Its definitions live in .ipp files beside their headers. By default each header
// includes its .ipp and they are inline. A program that defines CTNN_SEPARATE_COMPILATION in
// every translation unit gets declarations only, and compiles the definitions once by including
// <ctnn/src.hpp> in one of them; the CMake target ctnn::compiled does both (Asio's scheme).
// The CPU kernels that depend on the element type alone (the GEMM and its kin) are compiled there
// too, for float and double, and declared extern elsewhere (backend/cpu/kernels.ipp).
// [[gnu::cold]]: they run once per file or epoch, so they are optimised for size.
#if defined(CTNN_SEPARATE_COMPILATION)
#define CTNN_RUN_ONCE [[gnu::cold]]
#else
#define CTNN_RUN_ONCE [[gnu::cold]] inline
#endif

namespace ctnn {
inline constexpr int version_major = CTNN_VERSION_MAJOR;
inline constexpr int version_minor = CTNN_VERSION_MINOR;
inline constexpr int version_patch = CTNN_VERSION_PATCH;
}  // namespace ctnn
