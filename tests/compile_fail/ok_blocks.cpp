// Must compile: every kind of block, nested, with keys, constants and a network used as a layer.
#include <ctnn/ctnn.hpp>

#include <string_view>

struct MLP : ctnn::Block<ctnn::Named<"hidden", ctnn::Linear<16>>, ctnn::ReLU,
                         ctnn::Named<"out", ctnn::Linear<8>>> {
  static constexpr std::string_view name = "MLP";
};
using Features = ctnn::Sequential<ctnn::Input<8>, ctnn::Linear<8>, ctnn::ReLU>;
using Net = ctnn::Sequential<
    ctnn::Input<4>, MLP, ctnn::Residual<ctnn::Linear<8>, ctnn::Tanh>,
    ctnn::Concat<ctnn::Linear<3>, ctnn::Identity>, ctnn::Linear<8>,
    ctnn::Sum<Features, ctnn::Shared<ctnn::Frozen<ctnn::Linear<8>>, 3>>, ctnn::Linear<2>>;
static_assert(Net::shapes_ok && Net::parameter_count > 0);
int main() {
  Net net;
  return net(Net::input_tensor(2)).batch() == 2 ? 0 : 1;
}
