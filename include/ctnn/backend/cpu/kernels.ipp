// The CPU kernels that depend on the element type alone (the GEMM, x W^T with W^T kept, the
// transpose), instantiated for float and double once for the program: included by
// <ctnn/src.hpp>, which ctnn::compiled compiles, while every other translation unit sees them
// declared extern (CTNN_SEPARATE_COMPILATION). They are most of what each translation unit
// generated that does not depend on its network: 2.5 s of mnist_mlp's 9.4 s compile.
#pragma once

#include "ctnn/backend/cpu/gemm.hpp"
#include "ctnn/backend/cpu/transpose.hpp"
#include "ctnn/backend/cpu/weight_cache.hpp"

namespace ctnn::cpu {

template void gemm<float>(transpose, transpose, std::size_t, std::size_t, std::size_t, float,
                          const float*, const float*, float, float*);
template void gemm<double>(transpose, transpose, std::size_t, std::size_t, std::size_t, double,
                           const double*, const double*, double, double*);
template void gemm_weight<float>(std::size_t, std::size_t, std::size_t, const float*, const float*,
                                 std::uint64_t, float*);
template void gemm_weight<double>(std::size_t, std::size_t, std::size_t, const double*,
                                  const double*, std::uint64_t, double*);
template const float* detail::derived_weight<float>(std::size_t, std::size_t, const float*,
                                                    std::uint64_t, detail::weight_form);
template const double* detail::derived_weight<double>(std::size_t, std::size_t, const double*,
                                                      std::uint64_t, detail::weight_form);
template void copy_transposed<float>(std::size_t, std::size_t, const float*, std::size_t, float*,
                                     std::size_t);
template void copy_transposed<double>(std::size_t, std::size_t, const double*, std::size_t,
                                      double*, std::size_t);

// The marker of the instruction set these kernels were built for (gemm.hpp).
template <>
const bool compiled_kernels_for<xsimd::default_arch>::present = true;

}  // namespace ctnn::cpu
