// A type that is not a layer, at position 1.
// expect: ctnn::Sequential: this argument is not a layer
// expect: check::is_layer<ctnn::check::at<1, int> >
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Linear<3>, int, ctnn::ReLU>;
Net net;
