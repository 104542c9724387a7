// The first layer is checked against Input itself.
// expect: ctnn::Sequential: this layer needs a rank-1 input
// expect: check::rank_1_input<ctnn::check::at<0, ctnn::Linear<10> >, ctnn::Input<1, 28, 28>, ctnn::Shape<1, 28, 28> >
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<1, 28, 28>, ctnn::Linear<10>>;
Net net;
