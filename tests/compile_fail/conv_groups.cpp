// 3 input channels cannot be split into 2 groups.
// expect: ctnn::Conv: the input and output channel counts must both be divisible by groups
// expect: conv_groups<ctnn::check::at<0, ctnn::Conv2d<.*>, ctnn::Shape<3, 8, 8>, 3, 4, 2>
#include <ctnn/ctnn.hpp>

using Net =
    ctnn::Sequential<ctnn::Input<3, 8, 8>,
                     ctnn::Conv2d<ctnn::conv2d_options{.out = 4, .kernel = 3, .groups = 2}>>;
Net net;
