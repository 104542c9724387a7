// expect: ctnn::Sequential: the first argument must be Input<...>
// expect: first_argument_is_input<ctnn::Linear<3> >
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Linear<3>, ctnn::ReLU>;
Net net;
