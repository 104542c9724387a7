// The backend cases on Thrust's CUDA system, compared with Thrust's CPP system on the host.
// Built by nvcc whenever it is available (the compile check); the run needs a GPU and exits 77
// (CTest: skipped) without one.
#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>

#include <ctnn/backend/thrust.hpp>
#include <ctnn/core.hpp>

using test_policies = boost::mpl::list<ctnn::policy::thrust_cuda>;
using reference_policy = ctnn::policy::thrust_cpp;

struct RequireGpu {
  RequireGpu() {
    int devices = 0;
    if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
      std::puts("no CUDA device: skipping the CUDA tests");
      std::exit(77);
    }
  }
};
BOOST_TEST_GLOBAL_FIXTURE(RequireGpu);

#define CTNN_BACKEND_SUITE cuda_backends
#include "support/backend_cases.hpp"
#define CTNN_LAYER_SUITE cuda_layers
#include "support/layer_cases.hpp"
#define CTNN_TRAINING_SUITE cuda_training
#include "support/training_cases.hpp"
#define CTNN_BLOCK_SUITE cuda_blocks
#include "support/block_cases.hpp"
