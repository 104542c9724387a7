// expect: ctnn::Pool: padding must be at most half the kernel size, as in PyTorch
// expect: pool_padding<3, 2, 3, 2>
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<1, 8, 8>,
                             ctnn::MaxPool2d<ctnn::pool2d_options{.kernel = 3, .padding = 2}>>;
Net net;
