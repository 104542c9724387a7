// A network used as a layer must get its own Input shape: Features takes Shape<8>, gets Shape<6>.
// expect: ctnn::Sequential: a network used as a layer must get the shape of its Input
// expect: block_input<.*ctnn::Shape<6>, ctnn::Shape<8> >
#include <ctnn/ctnn.hpp>

using Features = ctnn::Sequential<ctnn::Input<8>, ctnn::Linear<4>, ctnn::ReLU>;
using Net = ctnn::Sequential<ctnn::Input<3>, ctnn::Linear<6>, Features, ctnn::Linear<2>>;
Net net;
