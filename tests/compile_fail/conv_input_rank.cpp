// Conv2d after Flatten: a rank-1 input where (channels, height, width) is needed.
// expect: ctnn::Sequential: this layer needs an input of another rank: 1-d layers take \(channels, length\), 2-d layers take \(channels, height, width\)
// expect: check::input_rank<ctnn::check::at<1, ctnn::Conv2d<ctnn::conv2d_options\{4, ctnn::extent2\{3, 3\}
// expect: ctnn::check::after<0, ctnn::Flatten>, ctnn::Shape<784>, 3>
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<1, 28, 28>, ctnn::Flatten,
                             ctnn::Conv2d<ctnn::conv2d_options{.out = 4, .kernel = 3}>>;
Net net;
