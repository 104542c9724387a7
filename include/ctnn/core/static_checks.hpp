// The compile-time error catalogue: every static_assert that ctnn shows a user lives here.
// Each check is a class template whose name and arguments read as the diagnosis, because g++,
// clang and nvcc print "In instantiation of 'ctnn::check::rank_1_input<ctnn::check::at<3,
// ctnn::Linear<10>>, ctnn::check::after<2, ctnn::MaxPool2d>, ctnn::Shape<16, 5, 5>>'" just before
// the message: the type names carry the layer positions, the layer types and the shapes that a
// string literal cannot. Each message starts with the API name, says what is wrong and how to fix
// it. Instantiating `check::X<...>::ok` runs the check; `ok` is false when it failed so that the
// caller can stop before follow-on errors.
//
// Every message here has a compile-fail test in tests/compile_fail/.
#pragma once

#include <cstddef>
#include <type_traits>

namespace ctnn::check {

// Names that appear inside diagnostics.
template <std::size_t Position, class Layer>
struct at {};  // the layer being checked, numbered as in torch.nn.Sequential
template <std::size_t Position, class Layer>
struct after {};  // the layer that feeds it
template <class Block, std::size_t Position, class Layer>
struct inside {};  // a layer inside a block (Block is the block's own at<...> or inside<...>)

template <class... Checks>
inline constexpr bool all_ok = (Checks::ok && ...);

// Several checks of one layer as one type: each is a base, so all of them run.
template <class... Checks>
struct all_of : Checks... {
  static constexpr bool ok = all_ok<Checks...>;
};

// False, but only once T is known: a check that always fails must not fire at its definition.
template <class... T>
inline constexpr bool fails = false;

// --- Sequential's arguments -------------------------------------------------------------------

template <class First>
struct first_argument_is_input {
  static constexpr bool ok = fails<First>;
  static_assert(ok,
                "ctnn::Sequential: the first argument must be Input<...>, the shape of one sample "
                "without the batch extent, e.g. Sequential<Input<1, 28, 28>, Flatten, Linear<10>>");
};

template <class At>
struct is_layer;
template <std::size_t Position, class Type>
struct is_layer<at<Position, Type>> {
  static constexpr bool ok = fails<Type>;
  static_assert(
      ok,
      "ctnn::Sequential: this argument is not a layer; a layer is a type such as "
      "Linear<10>, ReLU or Flatten that satisfies ctnn::Layer (see ctnn/core/concepts.hpp)");
};

template <std::size_t Position, class Count>
struct layer_index {
  static constexpr bool ok = Position < Count::value;
  static_assert(ok,
                "ctnn::Sequential::layer: index out of range; layers are numbered from 0 as in "
                "torch.nn.Sequential, and Input<...> is not counted");
};

// --- Shapes between layers --------------------------------------------------------------------

// Any shape is accepted (elementwise layers, Flatten).
template <class At, class From, class InputShape>
struct any_input {
  static constexpr bool ok = true;
};

template <class At, class From, class InputShape>
struct rank_1_input {
  static constexpr bool ok = InputShape::rank == 1;
  static_assert(ok,
                "ctnn::Sequential: this layer needs a rank-1 input (one feature axis) but the "
                "previous layer gives a higher rank; insert Flatten before it");
};

// The input must have exactly Rank axes: (channels, length) for 1-d layers, (channels, height,
// width) for 2-d layers.
template <class At, class From, class InputShape, std::size_t Rank>
struct input_rank {
  static constexpr bool ok = InputShape::rank == Rank;
  static_assert(ok,
                "ctnn::Sequential: this layer needs an input of another rank: 1-d layers take "
                "(channels, length), 2-d layers take (channels, height, width); the batch is not "
                "part of the shape");
};

template <class At, class From, class InputShape>
struct input_rank_1_or_2 {
  static constexpr bool ok = InputShape::rank == 1 || InputShape::rank == 2;
  static_assert(ok,
                "ctnn::Sequential: this layer needs (channels) or (channels, length) as input; "
                "use the 2-d layer for (channels, height, width)");
};

template <class At, class From, class InputShape>
struct sequence_input {
  static constexpr bool ok = InputShape::rank == 2;
  static_assert(ok,
                "ctnn::Sequential: a recurrent layer needs a (sequence length, features) input, "
                "batch first; use Reshape<L, features> or Embedding before it");
};

template <class At, class InputShape, std::size_t Embed, std::size_t Heads>
struct attention_heads {
  static constexpr bool ok = Heads >= 1 && Embed % Heads == 0;
  static_assert(ok,
                "ctnn::MultiheadAttention: the embedding size (the input's last extent) must be "
                "divisible by .heads");
};

template <std::size_t Hidden>
struct recurrent_options {
  static constexpr bool ok = Hidden >= 1;
  static_assert(
      ok, "ctnn::RNN/LSTM/GRU: .hidden is the size of the hidden state and must be at least 1");
};

template <class At, class From, class InputShape, std::size_t Axes>
struct normalized_axes {
  static constexpr bool ok = Axes >= 1 && Axes <= InputShape::rank;
  static_assert(ok,
                "ctnn::LayerNorm: .axes counts the trailing feature axes to normalise and must be "
                "between 1 and the input's rank");
};

template <class At, class InputShape, std::size_t InChannels, std::size_t OutChannels,
          std::size_t Groups>
struct conv_groups {
  static constexpr bool ok = Groups >= 1 && InChannels % Groups == 0 && OutChannels % Groups == 0;
  static_assert(ok,
                "ctnn::Conv: the input and output channel counts must both be divisible by groups");
};

template <class At, class InputShape, bool Fits>
struct kernel_fits {
  static constexpr bool ok = Fits;
  static_assert(ok,
                "ctnn::Sequential: the (dilated) kernel is larger than the padded input of this "
                "layer; use a smaller kernel, more padding, or a larger input");
};

template <class At, class From, class InputShape, class TargetShape>
struct reshape_size {
  static constexpr bool ok = InputShape::size == TargetShape::size;
  static_assert(ok,
                "ctnn::Reshape: the target shape must hold as many elements as the input shape");
};

template <class At, class From, class InputShape, std::size_t Dim>
struct reduce_axis {
  static constexpr bool ok = Dim < InputShape::rank;
  static_assert(ok,
                "ctnn::Mean: Dim names a feature axis, counted from 0 without the batch (PyTorch's "
                "dim - 1); the input has fewer axes than that");
};

// --- Blocks -----------------------------------------------------------------------------------

template <class At, class From, class InputShape, class BlockInput>
struct block_input {
  static constexpr bool ok = std::is_same_v<InputShape, BlockInput>;
  static_assert(ok,
                "ctnn::Sequential: a network used as a layer must get the shape of its Input<...>; "
                "change its Input or the layer before it");
};

template <class At, class InputShape, class BodyOutput>
struct residual_shape {
  static constexpr bool ok = std::is_same_v<InputShape, BodyOutput>;
  static_assert(ok,
                "ctnn::Residual: the body must give the shape it takes, since its output is added "
                "to its input; change the last layer of the body (e.g. Linear<in features>) or "
                "add a projection");
};

template <class At, class InputShape, class LayerOutput>
struct shared_shape {
  static constexpr bool ok = std::is_same_v<InputShape, LayerOutput>;
  static_assert(ok,
                "ctnn::Shared: a layer applied repeatedly must give the shape it takes, since its "
                "output is its next input");
};

template <std::size_t Times>
struct shared_times {
  static constexpr bool ok = Times >= 1;
  static_assert(ok, "ctnn::Shared<Layer, Times>: Times must be at least 1");
};

template <class At, class InputShape, class... BranchOutputs>
struct concat_shapes {
  template <class First, class Other>
  static constexpr bool fits() {
    if constexpr (First::rank != Other::rank) {
      return false;
    } else {
      for (std::size_t i = 1; i < First::rank; ++i)
        if (First::dims[i] != Other::dims[i]) return false;
      return true;
    }
  }
  template <class First, class... Rest>
  static constexpr bool all_fit() {
    return (fits<First, Rest>() && ...);
  }
  static constexpr bool ok = all_fit<BranchOutputs...>();
  static_assert(ok,
                "ctnn::Concat: the branches' outputs are joined along their first axis (channels), "
                "so their ranks and every other extent must be equal; compare the branch output "
                "shapes named below");
};

template <class At, class InputShape, class First, class... BranchOutputs>
struct sum_shapes {
  static constexpr bool ok = (std::is_same_v<First, BranchOutputs> && ...);
  static_assert(ok,
                "ctnn::Sum: the branches' outputs are added, so every branch must give the same "
                "shape");
};

// --- Calls ------------------------------------------------------------------------------------

template <class NetworkInput, class TensorShape>
struct input_shape_matches {
  static constexpr bool ok = std::is_same_v<NetworkInput, TensorShape>;
  static_assert(ok,
                "ctnn::Sequential: the tensor's feature shape is not the network's Input shape; "
                "reshape the data or change Input<...>");
};

template <class NetworkValue, class TensorValue>
struct value_type_matches {
  static constexpr bool ok = std::is_same_v<NetworkValue, TensorValue>;
  static_assert(ok,
                "ctnn: the tensor's element type is not the network's; convert the data or rebind "
                "the network with Net::rebind<T, Policy>");
};

template <class NetworkPolicy, class TensorPolicy>
struct policy_matches {
  static constexpr bool ok = std::is_same_v<NetworkPolicy, TensorPolicy>;
  static_assert(ok,
                "ctnn: the tensor lives on another backend than the network; move it with "
                "tensor.to<Policy>()");
};

template <class PredictionShape, class TargetShape>
struct loss_shapes_match {
  static constexpr bool ok = std::is_same_v<PredictionShape, TargetShape>;
  static_assert(ok, "ctnn::loss: the prediction and the target must have the same feature shape");
};

// --- Layer options ----------------------------------------------------------------------------

template <std::size_t Out>
struct linear_out_features {
  static constexpr bool ok = Out >= 1;
  static_assert(ok,
                "ctnn::Linear<Out>: Out is the number of output features and must be at least 1");
};

template <std::size_t Out, std::size_t Kernel, std::size_t Stride, std::size_t Dilation>
struct window_options {
  static constexpr bool ok = Out >= 1 && Kernel >= 1 && Stride >= 1 && Dilation >= 1;
  static_assert(ok,
                "ctnn: out, kernel, stride and dilation of a convolution or pooling layer must be "
                "at least 1 (give .kernel, e.g. Conv2d<conv2d_options{.out = 16, .kernel = 5}>)");
};

template <std::size_t KernelH, std::size_t PaddingH, std::size_t KernelW, std::size_t PaddingW>
struct pool_padding {
  static constexpr bool ok = 2 * PaddingH <= KernelH && 2 * PaddingW <= KernelW;
  static_assert(ok, "ctnn::Pool: padding must be at most half the kernel size, as in PyTorch");
};

template <bool InRange>
struct dropout_probability {
  static constexpr bool ok = InRange;
  static_assert(ok, "ctnn::Dropout<P>: P is the probability of zeroing an element, in [0, 1]");
};

template <std::size_t Num, std::size_t Dim, std::size_t PaddingIdx, bool HasPadding>
struct embedding_options {
  static constexpr bool ok = Num >= 1 && Dim >= 1 && (!HasPadding || PaddingIdx < Num);
  static_assert(ok,
                "ctnn::Embedding<Num, Dim, PaddingIdx>: Num and Dim must be at least 1 and "
                "PaddingIdx must be a row of the table (less than Num)");
};

// --- Backends ---------------------------------------------------------------------------------

template <class Policy, bool HasBackend>
struct backend_available {
  static constexpr bool ok = HasBackend;
  static_assert(ok,
                "ctnn: no backend is defined for this policy; include <ctnn/backend/cpu.hpp> for "
                "policy::cpu or <ctnn/backend/thrust.hpp> for the Thrust policies");
};

}  // namespace ctnn::check
