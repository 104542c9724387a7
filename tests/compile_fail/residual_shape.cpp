// The body of a Residual must give the shape it takes: Linear<3> turns Shape<4> into Shape<3>.
// expect: ctnn::Residual: the body must give the shape it takes
// expect: residual_shape<ctnn::check::at<1, ctnn::Residual<ctnn::Linear<3, true>, ctnn::ReLU> >, ctnn::Shape<4>, ctnn::Shape<3> >
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<2>, ctnn::Linear<4>, ctnn::Residual<ctnn::Linear<3>, ctnn::ReLU>>;
Net net;
