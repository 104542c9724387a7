// Losses and optimisers on the host backends.
#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <ctnn/backend/thrust.hpp>
#include <ctnn/ctnn.hpp>

using test_policies =
    boost::mpl::list<ctnn::policy::cpu, ctnn::policy::thrust_cpp, ctnn::policy::thrust_omp>;

#define CTNN_TRAINING_SUITE training
#include "support/training_cases.hpp"
