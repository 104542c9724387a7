// Sum adds its branches, so they must agree: Linear<3> against the Identity's Shape<4>.
// expect: ctnn::Sum: the branches' outputs are added, so every branch must give the same shape
// expect: sum_shapes<.*ctnn::Shape<4>, ctnn::Shape<4>, ctnn::Shape<3> >
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Sum<ctnn::Identity, ctnn::Linear<3>>>;
Net net;
