// xsimd, for the CPU backend's kernels. GCC 12 reports the undefined operand of AVX-512 intrinsics
// (_mm512_undefined_ps) inside xsimd's exp, tanh and haddp as uninitialised; the lanes it stands
// for are never read. Where such a function is not inlined into ctnn's code, GCC checks the
// warning against xsimd's own lines, so it is silenced around the include as well as in the
// headers that call them.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <xsimd/xsimd.hpp>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// Wherever ctnn's kernels have xsimd registers, op::Tanh on them takes the CPU backend's tanh.
#include "ctnn/backend/cpu/simd_tanh.hpp"
