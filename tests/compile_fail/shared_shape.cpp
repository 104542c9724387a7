// A layer applied twice must give the shape it takes: Linear<8> on Shape<4>.
// expect: ctnn::Shared: a layer applied repeatedly must give the shape it takes
// expect: shared_shape<ctnn::check::at<0, ctnn::Shared<ctnn::Linear<8> > >, ctnn::Shape<4>, ctnn::Shape<8> >
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Shared<ctnn::Linear<8>>>;
Net net;
