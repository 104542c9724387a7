// A 5x5 kernel on a 3x3 input without padding.
// expect: ctnn::Sequential: the \(dilated\) kernel is larger than the padded input of this layer
// expect: kernel_fits<ctnn::check::at<0, ctnn::Conv2d<.*>, ctnn::Shape<1, 3, 3>, false>
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<1, 3, 3>,
                             ctnn::Conv2d<ctnn::conv2d_options{.out = 2, .kernel = 5}>>;
Net net;
