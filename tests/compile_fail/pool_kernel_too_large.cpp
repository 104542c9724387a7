// Pooling checks the same rule, by position.
// expect: ctnn::Sequential: the \(dilated\) kernel is larger than the padded input of this layer
// expect: kernel_fits<ctnn::check::at<1, ctnn::MaxPool2d<.*>, ctnn::Shape<2, 2, 2>, false>
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<1, 4, 4>,
                             ctnn::Conv2d<ctnn::conv2d_options{.out = 2, .kernel = 3}>,
                             ctnn::MaxPool2d<ctnn::pool2d_options{.kernel = 3}>>;
Net net;
