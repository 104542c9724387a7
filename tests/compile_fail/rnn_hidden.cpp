// expect: ctnn::RNN/LSTM/GRU: .hidden is the size of the hidden state and must be at least 1
// expect: recurrent_options<0>
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<5, 2>, ctnn::GRU<ctnn::rnn_options{}>>;
Net net;
