// expect: ctnn::Linear<Out>: Out is the number of output features and must be at least 1
// expect: linear_out_features<0>
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Linear<0>>;
Net net;
