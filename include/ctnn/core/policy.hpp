// Execution policies: tag types that choose the backend of a network or tensor. As in Thrust and
// xsimd, a more specific tag inherits from a more general one, so code can take the general tag as
// a fallback and refine it where a better kernel exists. The tags carry no code: the matching
// backend<P> lives in backend/<name>/ and is the only place that includes a backend library.
#pragma once

#include <type_traits>

namespace ctnn::policy {

struct any {};

// xtensor containers and expressions, xsimd kernels. Host memory.
struct cpu : any {};

// Thrust algorithms on one of Thrust's systems, chosen per type so one program can use several.
struct thrust : any {};
struct thrust_cpp : thrust {};   // Thrust's serial host system (any C++ compiler)
struct thrust_omp : thrust {};   // Thrust's OpenMP system (g++ -fopenmp)
struct thrust_cuda : thrust {};  // Thrust's CUDA system (nvcc, device memory)

}  // namespace ctnn::policy

namespace ctnn {

template <class P>
inline constexpr bool is_policy_tag_v = std::is_base_of_v<policy::any, P>;

// The primitives a backend supplies (storage, host transfer, elementwise maps, reductions, GEMM).
// Declared here, defined by each backend header; see core/backend.hpp for the contract.
template <class P>
struct backend;

}  // namespace ctnn
