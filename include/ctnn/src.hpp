// ctnn's run-once code, compiled once: include this header in exactly one .cpp of a program whose
// every translation unit defines CTNN_SEPARATE_COMPILATION (see config.hpp). The CMake target
// ctnn::compiled is that .cpp and that definition. Without CTNN_SEPARATE_COMPILATION the headers
// define everything inline and this header adds nothing.
#pragma once

#include "ctnn/config.hpp"

#if defined(CTNN_SEPARATE_COMPILATION)
#include "ctnn/backend/cpu/kernels.ipp"
#include "ctnn/data/idx.ipp"
#include "ctnn/data/mnist.ipp"
#include "ctnn/data/text.ipp"
#include "ctnn/io/checkpoint.ipp"
#include "ctnn/io/safetensors.ipp"
#include "ctnn/nn/summary.ipp"
#include "ctnn/train/fit.ipp"
#include "ctnn/train/metrics.ipp"
#include "ctnn/train/progress.ipp"
#endif
