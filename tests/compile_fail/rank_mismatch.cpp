// Linear needs a rank-1 input; layer 1 gets Shape<2, 5> from layer 0 (Tanh).
// expect: ctnn::Sequential: this layer needs a rank-1 input .* insert Flatten before it
// expect: check::rank_1_input<ctnn::check::at<1, ctnn::Linear<3> >, ctnn::check::after<0, ctnn::Tanh>, ctnn::Shape<2, 5> >
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<2, 5>, ctnn::Tanh, ctnn::Linear<3>>;
Net net;
