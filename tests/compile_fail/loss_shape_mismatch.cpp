// expect: ctnn::loss: the prediction and the target must have the same feature shape
// expect: loss_shapes_match<ctnn::Shape<3>, ctnn::Shape<2> >
#include <ctnn/ctnn.hpp>

const float loss = ctnn::loss::MSELoss{}.value(ctnn::Tensor<float, ctnn::Shape<3>>(1),
                                               ctnn::Tensor<float, ctnn::Shape<2>>(1));
