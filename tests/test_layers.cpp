// Every layer case on the host backends.
#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <ctnn/backend/thrust.hpp>
#include <ctnn/ctnn.hpp>

using test_policies =
    boost::mpl::list<ctnn::policy::cpu, ctnn::policy::thrust_cpp, ctnn::policy::thrust_omp>;

#define CTNN_LAYER_SUITE layers
#include "support/layer_cases.hpp"
