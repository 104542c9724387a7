// Concat joins along channels: a 3x3 convolution without padding gives 4x4, the other branch 6x6.
// expect: ctnn::Concat: the branches' outputs are joined along their first axis
// expect: concat_shapes<.*ctnn::Shape<2, 6, 6>, ctnn::Shape<5, 4, 4>, ctnn::Shape<2, 6, 6> >
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<
    ctnn::Input<2, 6, 6>,
    ctnn::Concat<ctnn::Conv2d<ctnn::conv2d_options{.out = 5, .kernel = 3}>, ctnn::Identity>>;
Net net;
