// Every backend case on the host backends; the reference for cross-backend checks is the CPU.
#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <ctnn/backend/thrust.hpp>
#include <ctnn/ctnn.hpp>

using test_policies =
    boost::mpl::list<ctnn::policy::cpu, ctnn::policy::thrust_cpp, ctnn::policy::thrust_omp>;
using reference_policy = ctnn::policy::cpu;

#define CTNN_BACKEND_SUITE backends
#include "support/backend_cases.hpp"
