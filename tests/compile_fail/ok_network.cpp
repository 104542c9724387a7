// The corrected forms of the compile-fail tests beside this file: all of this must compile.
#include <ctnn/ctnn.hpp>

using Net = ctnn::Sequential<ctnn::Input<1, 28, 28>, ctnn::Flatten, ctnn::Linear<10>, ctnn::ReLU>;
const Net net;
const auto y = net(ctnn::Tensor<float, ctnn::Shape<1, 28, 28>>(1));
const auto layer = net.layer<1>();
using Tanh_first = ctnn::Sequential<ctnn::Input<2, 5>, ctnn::Tanh, ctnn::Flatten, ctnn::Linear<3>>;
Tanh_first other;
const float loss = ctnn::loss::MSELoss{}.value(y, ctnn::Tensor<float, ctnn::Shape<10>>(1));
using Cnn =
    ctnn::Sequential<ctnn::Input<3, 8, 8>,
                     ctnn::Conv2d<ctnn::conv2d_options{.out = 4, .kernel = 3, .padding = 1}>,
                     ctnn::MaxPool2d<ctnn::pool2d_options{.kernel = 3, .padding = 1}>,
                     ctnn::Flatten, ctnn::Linear<10>, ctnn::Reshape<5, 2>, ctnn::Dropout<1.0f>>;
Cnn cnn;
using Text = ctnn::Sequential<ctnn::Input<5>, ctnn::Embedding<10, 4, 9>>;
Text text;
using Rnn =
    ctnn::Sequential<ctnn::Input<4>, ctnn::Linear<8>, ctnn::Reshape<4, 2>,
                     ctnn::LSTM<ctnn::rnn_options{.hidden = 3, .output = ctnn::rnn_output::last}>>;
Rnn rnn;
