// The Thrust policies need <ctnn/backend/thrust.hpp>.
// expect: ctnn: no backend is defined for this policy; include <ctnn/backend/cpu.hpp> for policy::cpu or <ctnn/backend/thrust.hpp>
// expect: backend_available<ctnn::policy::thrust_omp, false>
#include <ctnn/ctnn.hpp>

ctnn::Tensor<float, ctnn::Shape<2>, ctnn::policy::thrust_omp> t(1);
