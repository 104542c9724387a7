// expect: ctnn::Shape: every extent must be at least 1
// expect: Shape<3, 0>
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<3, 0>, ctnn::Flatten>;
Net net;
