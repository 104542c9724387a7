// A shape error inside a block names the block's position, the layer's position inside it and
// the shape it gets: Linear (element 1 of the Block at position 0) gets Shape<2, 5>.
// expect: ctnn::Sequential: this layer needs a rank-1 input .* insert Flatten before it
// expect: rank_1_input<ctnn::check::inside<ctnn::check::at<0, ctnn::Block<ctnn::Tanh, ctnn::Linear<3, true> > >, 1, ctnn::Linear<3> >, ctnn::check::inside<ctnn::check::at<0, ctnn::Block<ctnn::Tanh, ctnn::Linear<3, true> > >, 0, ctnn::Tanh>, ctnn::Shape<2, 5> >
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<2, 5>, ctnn::Block<ctnn::Tanh, ctnn::Linear<3>>>;
Net net;
