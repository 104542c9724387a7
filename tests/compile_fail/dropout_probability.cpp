// expect: ctnn::Dropout<P>: P is the probability of zeroing an element, in \[0, 1\]
// expect: dropout_probability<false>
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dropout<1.5f>>;
Net net;
