// expect: ctnn::Reshape: the target shape must hold as many elements as the input shape
// expect: reshape_size<ctnn::check::at<1, ctnn::Reshape<5, 2> >, ctnn::check::after<0, ctnn::Linear<12> >, ctnn::Shape<12>, ctnn::Shape<5, 2> >
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Linear<12>, ctnn::Reshape<5, 2>>;
Net net;
