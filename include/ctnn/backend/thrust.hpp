// The Thrust backend (policy::thrust_cpp, thrust_omp with OpenMP, thrust_cuda under nvcc).
// Opt-in: <ctnn/ctnn.hpp> never includes Thrust.
#pragma once

#include "ctnn/backend/thrust/backend.hpp"
