// Sequential<Input<...>, Layers...>: a chain of layers whose every feature shape is known at
// compile time.
//
// - Shapes: a fold over the layer list gives the shape at every boundary (boundary 0 is the input,
//   boundary i + 1 the output of layer i). Each layer checks its input shape with a check from
//   the catalogue, named by position, type and both shapes.
// - Parameters: one flat parameter buffer and one gradient buffer, whose sizes and per-layer
//   offsets are compile-time constants (tiny-cuda-nn style). Names and layouts follow
//   torch.nn.Sequential: "1.weight", "1.bias", ...; Input is not counted.
// - forward(x) records the activations of every boundary for backward, in one workspace sized by
//   the static shapes times the batch; backward(dy) walks the layers in reverse and accumulates
//   into the gradient buffer (zero it with the optimiser's zero_grad, as in PyTorch).
// - operator()(x) const is inference: it keeps nothing in the object, so several threads may call
//   it at once on one network.
// - A layer with an epilogue (Linear) followed by an elementwise layer (ReLU, ...) runs as one
//   fused bias+activation pass; the boundary between them keeps the product before the bias.
// - Views (Flatten) run nothing: their output boundary aliases their input.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "ctnn/core/backend.hpp"
#include "ctnn/core/concepts.hpp"
#include "ctnn/core/errors.hpp"
#include "ctnn/core/layer_pass.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/random.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/static_checks.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/nn/input.hpp"

namespace ctnn {

namespace detail {

template <std::size_t I, class... Ts>
using pack_element = std::tuple_element_t<I, std::tuple<Ts...>>;

// The shapes at every boundary, built by a left fold of operator<< over the layers.
template <class... Shapes>
struct shape_chain {
  using last = pack_element<sizeof...(Shapes) - 1, Shapes...>;
  template <std::size_t I>
  using at = pack_element<I, Shapes...>;
};
template <class L>
struct layer_tag {};
template <class... Shapes, class L>
auto operator<<(shape_chain<Shapes...>, layer_tag<L>)
    -> shape_chain<Shapes...,
                   typename L::template output_shape<typename shape_chain<Shapes...>::last>>;

template <class In, class... Ls>
using boundary_shapes = decltype((shape_chain<In>{} << ... << layer_tag<Ls>{}));

// Reports bad Sequential arguments through the catalogue: each failing check is a base class, so
// instantiating the class runs exactly the checks that fail and nothing else.
template <std::size_t I>
struct passed {};

template <class Indices, class... Ls>
struct report_layers;
template <std::size_t... I, class... Ls>
struct report_layers<std::index_sequence<I...>, Ls...>
    : std::conditional_t<Layer<Ls>, passed<I>, check::is_layer<check::at<I, Ls>>>... {};

template <class First = void, class... Ls>
struct report_arguments
    : std::conditional_t<is_input_v<First>, report_layers<std::index_sequence_for<Ls...>, Ls...>,
                         check::first_argument_is_input<First>> {};

// The shape check of every layer against its input, by position. Each check is a base class (all
// distinct: each names its position), so instantiating a network runs them all.
template <class Input_, class Indices, class... Ls>
struct check_boundaries;
template <std::size_t... Ds, std::size_t... I, class... Ls>
struct check_boundaries<Input<Ds...>, std::index_sequence<I...>, Ls...>
    : pack_element<I, Ls...>::template check<
          check::at<I, pack_element<I, Ls...>>,
          std::conditional_t<I == 0, Input<Ds...>,
                             check::after<I - 1, pack_element<(I > 0 ? I - 1 : 0), Ls...>>>,
          typename boundary_shapes<Shape<Ds...>, Ls...>::template at<I>>... {
  static constexpr bool ok = check::all_ok<typename pack_element<I, Ls...>::template check<
      check::at<I, pack_element<I, Ls...>>,
      std::conditional_t<I == 0, Input<Ds...>,
                         check::after<I - 1, pack_element<(I > 0 ? I - 1 : 0), Ls...>>>,
      typename boundary_shapes<Shape<Ds...>, Ls...>::template at<I>>...>;
};

template <class L>
inline constexpr bool is_view_v = requires {
  requires L::is_view;
};

template <class L>
inline constexpr bool accepts_epilogue_v = requires {
  requires L::accepts_epilogue;
};

// The buffers a layer declares (running statistics), or none.
template <class L, class In>
constexpr auto layer_buffers() {
  if constexpr (requires { L::template buffers<In>; }) {
    return L::template buffers<In>;
  } else {
    return std::array<param_spec, 0>{};
  }
}

// Storage a layer asks for, per sample: kept from forward to backward, and temporary.
template <class L, class In>
constexpr std::size_t saved_per_sample() {
  if constexpr (requires { L::template saved_per_sample<In>; }) {
    return L::template saved_per_sample<In>;
  } else {
    return 0;
  }
}
template <class L, class In>
constexpr std::size_t scratch_per_sample() {
  if constexpr (requires { L::template scratch_per_sample<In>; }) {
    return L::template scratch_per_sample<In>;
  } else {
    return 0;
  }
}

template <class L>
inline constexpr bool is_elementwise_v = requires {
  typename L::op_type;
};

}  // namespace detail

// The failing case: the arguments are not Input<...> followed by layers. Its base classes print
// the catalogue's message for each wrong argument.
template <class T, class P, class... Args>
class basic_sequential : detail::report_arguments<Args...> {};

template <class T, class P, std::size_t... Ds, class... Ls>
requires(Layer<Ls>&&...) class basic_sequential<T, P, Input<Ds...>, Ls...>
    : detail::check_boundaries<Input<Ds...>, std::index_sequence_for<Ls...>, Ls...> {
  using shapes = detail::boundary_shapes<Shape<Ds...>, Ls...>;
  using B = backend_for<P>;
  using vector_type = typename B::template vector<T>;
  static constexpr std::size_t L = sizeof...(Ls);

 public:
  using value_type = T;
  using policy_type = P;
  using input_shape = Shape<Ds...>;
  static constexpr std::size_t layer_count = L;

  template <std::size_t I>
  using layer_type = detail::pack_element<I, Ls...>;
  // boundary_shape<0> is the input; boundary_shape<I + 1> is the output of layer I.
  template <std::size_t I>
  using boundary_shape = typename shapes::template at<I>;
  using output_shape = boundary_shape<L>;
  using input_tensor = Tensor<T, input_shape, P>;
  using output_tensor = Tensor<T, output_shape, P>;

  // The same architecture with another element type or backend.
  template <class T2, class P2 = P>
  using rebind = basic_sequential<T2, P2, Input<Ds...>, Ls...>;

  // False after a shape error has been reported; the rest of the class still compiles so that the
  // first error is the only one.
  static constexpr bool shapes_ok =
      detail::check_boundaries<Input<Ds...>, std::index_sequence_for<Ls...>, Ls...>::ok;

 private:
  template <std::size_t I>
  static constexpr auto layer_params = layer_type<I>::template parameters<boundary_shape<I>>;

  template <std::size_t I>
  static constexpr auto layer_buffer_specs =
      detail::layer_buffers<layer_type<I>, boundary_shape<I>>();

  template <std::size_t... I>
  static constexpr auto make_param_offsets(std::index_sequence<I...>) {
    std::array<std::size_t, L + 1> offsets{};
    const std::array<std::size_t, L> sizes{total_size(layer_params<I>)...};
    for (std::size_t i = 0; i < L; ++i) offsets[i + 1] = offsets[i] + sizes[i];
    return offsets;
  }
  template <std::size_t... I>
  static constexpr auto make_buffer_offsets(std::index_sequence<I...>) {
    std::array<std::size_t, L + 1> offsets{};
    const std::array<std::size_t, L> sizes{total_size(layer_buffer_specs<I>)...};
    for (std::size_t i = 0; i < L; ++i) offsets[i + 1] = offsets[i] + sizes[i];
    return offsets;
  }

  // Where each boundary starts in the per-sample activation workspace. A view's output shares its
  // input's storage.
  template <std::size_t... I>
  static constexpr auto make_boundary_offsets(std::index_sequence<I...>) {
    std::array<std::size_t, L + 2> offsets{};  // last entry: end of the boundaries
    const std::array<bool, L> views{detail::is_view_v<layer_type<I>>...};
    const std::array<std::size_t, L> sizes{boundary_shape<I + 1>::size...};
    std::size_t total = input_shape::size;
    for (std::size_t i = 0; i < L; ++i) {
      offsets[i + 1] = views[i] ? offsets[i] : total;
      if (!views[i]) total += sizes[i];
    }
    offsets[L + 1] = total;
    return offsets;
  }

  // The saved regions follow the boundaries in the same workspace; the last entry is its size.
  template <std::size_t... I>
  static constexpr auto make_saved_offsets(std::index_sequence<I...>) {
    std::array<std::size_t, L + 1> offsets{};
    const std::array<std::size_t, L> sizes{
        detail::saved_per_sample<layer_type<I>, boundary_shape<I>>()...};
    offsets[0] = make_boundary_offsets(std::index_sequence<I...>{})[L + 1];
    for (std::size_t i = 0; i < L; ++i) offsets[i + 1] = offsets[i] + sizes[i];
    return offsets;
  }

  template <std::size_t... I>
  static constexpr std::size_t make_max_boundary(std::index_sequence<I...>) {
    return std::max({input_shape::size, boundary_shape<I + 1>::size...});
  }

  template <std::size_t... I>
  static constexpr std::size_t make_max_scratch(std::index_sequence<I...>) {
    return std::max(
        {std::size_t{0}, detail::scratch_per_sample<layer_type<I>, boundary_shape<I>>()...});
  }

 public:
  static constexpr auto param_offsets = make_param_offsets(std::make_index_sequence<L>{});
  static constexpr std::size_t parameter_count = param_offsets[L];
  static constexpr auto buffer_offsets = make_buffer_offsets(std::make_index_sequence<L>{});
  static constexpr std::size_t buffer_count = buffer_offsets[L];
  static constexpr auto boundary_offsets = make_boundary_offsets(std::make_index_sequence<L>{});
  static constexpr std::size_t max_boundary_size = make_max_boundary(std::make_index_sequence<L>{});
  static constexpr auto saved_offsets = make_saved_offsets(std::make_index_sequence<L>{});
  static constexpr std::size_t workspace_per_sample = saved_offsets[L];
  static constexpr std::size_t max_scratch_size = make_max_scratch(std::make_index_sequence<L>{});

  // Layer I runs fused with layer I + 1: an epilogue-taking layer followed by an elementwise one.
  template <std::size_t I>
  static constexpr bool fuses_next = [] {
    if constexpr (I + 1 < L) {
      return detail::accepts_epilogue_v<layer_type<I>> &&
             detail::is_elementwise_v<layer_type<I + 1>>;
    } else {
      return false;
    }
  }();
  template <std::size_t I>
  static constexpr bool fused_into_previous = [] {
    if constexpr (I > 0) {
      return fuses_next<I - 1>;
    } else {
      return false;
    }
  }();

  // The parameters are initialised as PyTorch does, from a generator seeded with `seed`.
  explicit basic_sequential(std::uint64_t seed = 0)
      : params_(B::template allocate<T>(parameter_count)),
        grads_(B::template allocate<T>(parameter_count)),
        buffers_(B::template allocate<T>(buffer_count)),
        seed_(seed) {
    reset_parameters(seed);
  }

  // Parameters as PyTorch initialises them, and buffers (running statistics) to their start.
  void reset_parameters(std::uint64_t seed) {
    Generator rng(seed);
    std::vector<T> host(parameter_count);
    std::vector<T> host_buffers(buffer_count);
    reset_layers(host, host_buffers, rng, std::make_index_sequence<L>{});
    B::copy_from_host(host.data(), host.size(), B::data(params_));
    B::copy_from_host(host_buffers.data(), host_buffers.size(), B::data(buffers_));
  }

  // Modes, as in PyTorch: layers such as Dropout and BatchNorm behave differently.
  void train(bool on = true) { training_ = on; }
  void eval() { training_ = false; }
  bool is_training() const { return training_; }

  // The state of the per-forward randomness (Dropout masks): equal states draw equal masks.
  struct random_state {
    std::uint64_t seed;
    std::uint64_t forward_count;
  };
  random_state get_random_state() const { return {seed_, forward_count_}; }
  void set_random_state(random_state state) {
    seed_ = state.seed;
    forward_count_ = state.forward_count;
  }

  // --- Passes -----------------------------------------------------------------------------------

  // Training forward: records every boundary for backward.
  template <class X>
  output_tensor forward(const X& x) {
    check_input<X>();
    const std::size_t batch = x.batch();
    if (batch != recorded_batch_) {
      acts_ = B::template allocate<T>(workspace_per_sample * batch);
      scratch_ = B::template allocate<T>(max_scratch_size * batch);
      recorded_batch_ = batch;
    }
    has_record_ = false;
    ++forward_count_;
    B::copy(x.data(), x.size(), act(0));
    forward_layers(batch, std::make_index_sequence<L>{});
    has_record_ = true;
    output_tensor y(batch);
    B::copy(act(L), y.size(), y.data());
    return y;
  }

  // Reverse pass from dL/dy, for the batch recorded by the last forward. Gradients accumulate.
  void backward(const output_tensor& dy) { backward_impl(dy, nullptr); }

  // The same, and also dL/dx.
  void backward(const output_tensor& dy, input_tensor& dx) {
    dx = input_tensor(dy.batch());
    backward_impl(dy, dx.data());
  }

  // Inference: keeps nothing, safe from several threads on a const network.
  template <class X>
  output_tensor operator()(const X& x) const {
    check_input<X>();
    const std::size_t batch = x.batch();
    output_tensor y(batch);
    vector_type buffers[3] = {B::template allocate<T>(max_boundary_size * batch),
                              B::template allocate<T>(max_boundary_size * batch),
                              B::template allocate<T>(max_scratch_size * batch)};
    inference_state state{
        batch, x.data(), {B::data(buffers[0]), B::data(buffers[1])}, 0, B::data(buffers[2])};
    infer_layers(state, std::make_index_sequence<L>{});
    B::copy(state.current, y.size(), y.data());
    return y;
  }
  template <class X>
  output_tensor predict(const X& x) const {
    return (*this)(x);
  }

  // --- Parameters -------------------------------------------------------------------------------

  struct parameter_info {
    std::string name;  // "1.weight"
    std::size_t layer;
    std::size_t offset;  // into the flat buffer
    std::size_t size;
    std::vector<std::size_t> dims;  // PyTorch layout
  };

  // Every parameter in PyTorch's state_dict order.
  static std::vector<parameter_info> named_parameters() {
    std::vector<parameter_info> out;
    collect_parameters<false>(out, std::make_index_sequence<L>{});
    return out;
  }
  // Every buffer ("1.running_mean", ...): state that is saved but not trained.
  static std::vector<parameter_info> named_buffers() {
    std::vector<parameter_info> out;
    collect_parameters<true>(out, std::make_index_sequence<L>{});
    return out;
  }

  // Gradients accumulate over backward calls, as in PyTorch; this clears them.
  void zero_grad() { B::fill(B::data(grads_), parameter_count, T(0)); }

  // The flat buffers, in the backend's memory: what optimisers work on.
  T* parameter_data() { return B::data(params_); }
  const T* parameter_data() const { return B::data(params_); }
  T* gradient_data() { return B::data(grads_); }
  const T* gradient_data() const { return B::data(grads_); }

  // Host copies of all parameters or gradients, in named_parameters() order.
  std::vector<T> parameters() const { return to_host(B::data(params_), 0, parameter_count); }
  std::vector<T> gradients() const { return to_host(B::data(grads_), 0, parameter_count); }
  void set_parameters(std::span<const T> values) {
    if (values.size() != parameter_count)
      throw shape_error("ctnn::Sequential::set_parameters: " + std::to_string(values.size()) +
                        " values given, the network has " + std::to_string(parameter_count));
    B::copy_from_host(values.data(), values.size(), B::data(params_));
  }

  // One parameter by its PyTorch name.
  std::vector<T> parameter(std::string_view name) const {
    const auto info = find(name, named_parameters());
    return to_host(B::data(params_), info.offset, info.size);
  }
  std::vector<T> gradient(std::string_view name) const {
    const auto info = find(name, named_parameters());
    return to_host(B::data(grads_), info.offset, info.size);
  }
  void set_parameter(std::string_view name, std::span<const T> values) {
    const auto info = find(name, named_parameters());
    check_size("set_parameter", info, values.size());
    B::copy_from_host(values.data(), values.size(), B::data(params_) + info.offset);
  }

  // One buffer by its PyTorch name, and all of them in named_buffers() order.
  std::vector<T> buffer(std::string_view name) const {
    const auto info = find(name, named_buffers());
    return to_host(B::data(buffers_), info.offset, info.size);
  }
  void set_buffer(std::string_view name, std::span<const T> values) {
    const auto info = find(name, named_buffers());
    check_size("set_buffer", info, values.size());
    B::copy_from_host(values.data(), values.size(), B::data(buffers_) + info.offset);
  }
  std::vector<T> buffers() const { return to_host(B::data(buffers_), 0, buffer_count); }
  void set_buffers(std::span<const T> values) {
    if (values.size() != buffer_count)
      throw shape_error("ctnn::Sequential::set_buffers: " + std::to_string(values.size()) +
                        " values given, the network has " + std::to_string(buffer_count));
    B::copy_from_host(values.data(), values.size(), B::data(buffers_));
  }

  // Layer I's parameters: layer<1>().parameter("weight").
  template <std::size_t I>
  auto layer() const {
    static_assert(check::layer_index<I, std::integral_constant<std::size_t, L>>::ok);
    return layer_view<I>{this};
  }

 private:
  template <std::size_t I>
  struct layer_view {
    const basic_sequential* net;
    using type = layer_type<I>;
    using input_shape = boundary_shape<I>;
    using output_shape = boundary_shape<I + 1>;
    static constexpr std::size_t parameter_count = param_offsets[I + 1] - param_offsets[I];
    std::vector<T> parameter(std::string_view name) const {
      return net->parameter(std::to_string(I) + "." + std::string(name));
    }
    std::vector<T> gradient(std::string_view name) const {
      return net->gradient(std::to_string(I) + "." + std::string(name));
    }
  };

  // Each mismatch between the tensor and the network is reported by its own catalogue entry.
  template <class X>
  static constexpr void check_input() {
    [[maybe_unused]] constexpr bool ok =
        check::all_ok<check::value_type_matches<T, typename X::value_type>,
                      check::policy_matches<P, typename X::policy_type>,
                      check::input_shape_matches<input_shape, typename X::shape_type>>;
  }

  T* act(std::size_t boundary) {
    return B::data(acts_) + boundary_offsets[boundary] * recorded_batch_;
  }

  template <std::size_t I>
  layer_pass<T> pass_for(std::size_t batch) {
    layer_pass<T> a;
    a.batch = batch;
    a.x = act(I);
    a.y = act(I + 1);
    a.params = B::data(params_) + param_offsets[I];
    a.grads = B::data(grads_) + param_offsets[I];
    a.buffers = B::data(buffers_) + buffer_offsets[I];
    a.update_buffers = B::data(buffers_) + buffer_offsets[I];
    if constexpr (saved_offsets[I + 1] > saved_offsets[I])
      a.saved = B::data(acts_) + saved_offsets[I] * batch;
    a.scratch = B::data(scratch_);
    a.seed = mix64(mix64(seed_ ^ forward_count_) + I);
    a.training = training_;
    return a;
  }

  template <std::size_t... I>
  void forward_layers(std::size_t batch, std::index_sequence<I...>) {
    (forward_layer<I>(batch), ...);
  }

  template <std::size_t I>
  void forward_layer(std::size_t batch) {
    using Layer_ = layer_type<I>;
    using In = boundary_shape<I>;
    if constexpr (fused_into_previous<I> || detail::is_view_v<Layer_>) {
      return;
    } else if constexpr (fuses_next<I>) {
      auto a = pass_for<I>(batch);
      a.pre = act(I + 1);
      a.y = act(I + 2);
      Layer_::template forward<In, P>(a, typename layer_type<I + 1>::op_type{});
    } else {
      Layer_::template forward<In, P>(pass_for<I>(batch));
    }
  }

  void backward_impl(const output_tensor& dy, T* dx_out) {
    if (!has_record_)
      throw state_error("ctnn::Sequential::backward: no recorded forward; call forward(x) first");
    if (dy.batch() != recorded_batch_)
      throw shape_error("ctnn::Sequential::backward: the gradient has batch " +
                        std::to_string(dy.batch()) + " but the recorded forward had batch " +
                        std::to_string(recorded_batch_));
    const std::size_t batch = recorded_batch_;
    if (grad_batch_ != batch) {
      grad_buffers_[0] = B::template allocate<T>(max_boundary_size * batch);
      grad_buffers_[1] = B::template allocate<T>(max_boundary_size * batch);
      grad_batch_ = batch;
    }
    backward_state state{batch, dx_out != nullptr, 0};
    B::copy(dy.data(), dy.size(), B::data(grad_buffers_[0]));
    backward_layers(state, std::make_index_sequence<L>{});
    if (dx_out) B::copy(B::data(grad_buffers_[state.current]), batch * input_shape::size, dx_out);
  }

  struct backward_state {
    std::size_t batch;
    bool want_input_gradient;
    int current;  // which grad buffer holds dL/d(current boundary)
  };

  template <std::size_t... I>
  void backward_layers(backward_state& s, std::index_sequence<I...>) {
    (backward_layer<L - 1 - I>(s), ...);
  }

  // The first layer that computes something: below it nobody needs dL/dx unless asked.
  template <std::size_t... I>
  static constexpr std::size_t first_computing(std::index_sequence<I...>) {
    const std::array<bool, L> views{detail::is_view_v<layer_type<I>>...};
    for (std::size_t i = 0; i < L; ++i)
      if (!views[i]) return i;
    return L;
  }
  static constexpr std::size_t first_computing_layer =
      first_computing(std::make_index_sequence<L>{});

  template <std::size_t I>
  void backward_layer(backward_state& s) {
    using Layer_ = layer_type<I>;
    using In = boundary_shape<I>;
    if constexpr (fused_into_previous<I> || detail::is_view_v<Layer_>) {
      return;
    } else {
      auto a = pass_for<I>(s.batch);
      a.dy = B::data(grad_buffers_[s.current]);
      const bool need_dx = I > first_computing_layer || s.want_input_gradient;
      a.dx = need_dx ? B::data(grad_buffers_[1 - s.current]) : nullptr;
      if constexpr (fuses_next<I>) {
        a.pre = act(I + 1);
        a.y = act(I + 2);
        Layer_::template backward<In, P>(a, typename layer_type<I + 1>::op_type{});
      } else {
        Layer_::template backward<In, P>(a);
      }
      if (need_dx) s.current = 1 - s.current;
    }
  }

  struct inference_state {
    std::size_t batch;
    const T* current;
    T* buffers[2];
    int next;  // the buffer the next computing layer writes
    T* scratch;
  };

  template <std::size_t... I>
  void infer_layers(inference_state& s, std::index_sequence<I...>) const {
    (infer_layer<I>(s), ...);
  }

  template <std::size_t I>
  void infer_layer(inference_state& s) const {
    using Layer_ = layer_type<I>;
    using In = boundary_shape<I>;
    if constexpr (fused_into_previous<I> || detail::is_view_v<Layer_>) {
      return;
    } else {
      layer_pass<T> a;
      a.batch = s.batch;
      a.x = s.current;
      a.y = s.buffers[s.next];
      a.params = B::data(params_) + param_offsets[I];
      a.buffers = B::data(buffers_) + buffer_offsets[I];
      a.scratch = s.scratch;
      a.training = false;
      if constexpr (fuses_next<I>) {
        a.pre = a.y;  // nothing is kept: the epilogue runs in place
        Layer_::template forward<In, P>(a, typename layer_type<I + 1>::op_type{});
      } else {
        Layer_::template forward<In, P>(a);
      }
      s.current = a.y;
      s.next = 1 - s.next;
    }
  }

  template <std::size_t... I>
  static void reset_layers(std::vector<T>& host, std::vector<T>& host_buffers, Generator& rng,
                           std::index_sequence<I...>) {
    (reset_layer<I>(host, host_buffers, rng), ...);
  }
  template <std::size_t I>
  static void reset_layer(std::vector<T>& host, std::vector<T>& host_buffers, Generator& rng) {
    std::span<T> slice(host.data() + param_offsets[I], param_offsets[I + 1] - param_offsets[I]);
    layer_type<I>::template reset_parameters<boundary_shape<I>>(slice, rng);
    if constexpr (buffer_offsets[I + 1] > buffer_offsets[I]) {
      std::span<T> buffers(host_buffers.data() + buffer_offsets[I],
                           buffer_offsets[I + 1] - buffer_offsets[I]);
      layer_type<I>::template reset_buffers<boundary_shape<I>>(buffers);
    }
  }

  template <bool Buffers, std::size_t... I>
  static void collect_parameters(std::vector<parameter_info>& out, std::index_sequence<I...>) {
    (collect_layer_parameters<Buffers, I>(out), ...);
  }
  template <bool Buffers, std::size_t I>
  static void collect_layer_parameters(std::vector<parameter_info>& out) {
    std::size_t offset = Buffers ? buffer_offsets[I] : param_offsets[I];
    for (const param_spec& spec : Buffers ? std::span<const param_spec>(layer_buffer_specs<I>)
                                          : std::span<const param_spec>(layer_params<I>)) {
      out.push_back({std::to_string(I) + "." + std::string(spec.name), I, offset, spec.size(),
                     std::vector<std::size_t>(spec.dims.begin(), spec.dims.begin() + spec.rank)});
      offset += spec.size();
    }
  }

  static parameter_info find(std::string_view name, const std::vector<parameter_info>& all) {
    for (const auto& info : all)
      if (info.name == name) return info;
    std::string known;
    for (const auto& info : all) known += (known.empty() ? "" : ", ") + info.name;
    throw index_error("ctnn::Sequential: no parameter or buffer named \"" + std::string(name) +
                      "\" here; the network has: " + (known.empty() ? "none" : known));
  }

  static void check_size(const char* api, const parameter_info& info, std::size_t given) {
    if (given != info.size)
      throw shape_error(std::string("ctnn::Sequential::") + api + ": \"" + info.name + "\" has " +
                        std::to_string(info.size) + " values, " + std::to_string(given) + " given");
  }

  static std::vector<T> to_host(const T* base, std::size_t offset, std::size_t n) {
    std::vector<T> host(n);
    B::copy_to_host(base + offset, n, host.data());
    return host;
  }

  vector_type params_;
  vector_type grads_;
  vector_type buffers_;
  vector_type acts_ = B::template allocate<T>(0);
  vector_type scratch_ = B::template allocate<T>(0);
  vector_type grad_buffers_[2] = {B::template allocate<T>(0), B::template allocate<T>(0)};
  std::size_t recorded_batch_ = 0;
  std::size_t grad_batch_ = 0;
  bool has_record_ = false;
  bool training_ = true;  // PyTorch modules start in training mode
  std::uint64_t seed_ = 0;
  std::uint64_t forward_count_ = 0;
};

// The network as users write it: float on the CPU backend. Use Net::rebind<T, Policy> for others.
template <class... Args>
using Sequential = basic_sequential<float, policy::cpu, Args...>;

}  // namespace ctnn
