// expect: ctnn: out, kernel, stride and dilation of a convolution or pooling layer must be at least 1
// expect: window_options<4, 0, 1, 1>
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<1, 8, 8>, ctnn::Conv2d<ctnn::conv2d_options{.out = 4}>>;
Net net;
