// expect: ctnn::Sequential: a recurrent layer needs a \(sequence length, features\) input, batch first
// expect: sequence_input<ctnn::check::at<1, ctnn::LSTM<.*> >, ctnn::check::after<0, ctnn::Linear<8> >, ctnn::Shape<8> >
#include <ctnn/ctnn.hpp>

using Net =
    ctnn::Sequential<ctnn::Input<4>, ctnn::Linear<8>, ctnn::LSTM<ctnn::rnn_options{.hidden = 3}>>;
Net net;
