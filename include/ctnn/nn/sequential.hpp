// Sequential<Input<...>, Layers...>: a network whose every feature shape is known at compile time.
// Its layers run on nn/chain.hpp, the engine every block uses too.
//
// - Shapes: a fold over the layer list gives the shape at every boundary (boundary 0 is the input,
//   boundary i + 1 the output of layer i). Each layer checks its input shape with a check from
//   the catalogue, named by position, type and both shapes.
// - Elements may be layers, blocks (Block, Residual, Concat, ...), Named<"key", Layer> or another
//   Sequential type (run as a block).
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
#include "ctnn/core/parameter_version.hpp"
#include "ctnn/core/random.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/static_checks.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/nn/block.hpp"
#include "ctnn/nn/chain.hpp"
#include "ctnn/nn/input.hpp"
#include "ctnn/nn/summary.hpp"

namespace ctnn {

namespace detail {

// Reports bad Sequential arguments through the catalogue: each failing check is a base class, so
// instantiating the class runs exactly the checks that fail and nothing else.
template <std::size_t I>
struct passed {};

template <class Indices, class... Es>
struct report_layers;
template <std::size_t... I, class... Es>
struct report_layers<std::index_sequence<I...>, Es...>
    : std::conditional_t<Layer<element_layer<Es>>, passed<I>,
                         check::is_layer<check::at<I, Es>>>... {};

template <class First = void, class... Es>
struct report_arguments
    : std::conditional_t<is_input_v<First>, report_layers<std::index_sequence_for<Es...>, Es...>,
                         check::first_argument_is_input<First>> {};

template <class Input_, class... Es>
struct check_network;
template <std::size_t... Ds, class... Es>
struct check_network<Input<Ds...>, Es...>
    : chain_checks<void, Input<Ds...>, Shape<Ds...>, std::index_sequence_for<Es...>, Es...> {};

// A Sequential network used as an element of another runs as a block; its Input must fit.
template <class Input_, class... Es>
struct sequential_block;

}  // namespace detail

// The failing case: the arguments are not Input<...> followed by layers. Its base classes print
// the catalogue's message for each wrong argument.
template <class T, class P, class... Args>
class basic_sequential : detail::report_arguments<Args...> {};

template <class T, class P, std::size_t... Ds, class... Es>
requires(Layer<detail::element_layer<Es>>&&...) class basic_sequential<T, P, Input<Ds...>, Es...>
    : detail::check_network<Input<Ds...>, Es...> {
  using B = backend_for<P>;
  using vector_type = typename B::template vector<T>;
  static constexpr std::size_t L = sizeof...(Es);

 public:
  using value_type = T;
  using policy_type = P;
  using input_shape = Shape<Ds...>;
  static constexpr std::size_t layer_count = L;
  // The layers, run by the same engine that runs blocks.
  using body = chain<input_shape, false, Es...>;
  // Used as an element of another network, this network is a block.
  using as_layer = detail::sequential_block<Input<Ds...>, Es...>;

  template <std::size_t I>
  using layer_type = typename body::template layer<I>;
  // boundary_shape<0> is the input; boundary_shape<I + 1> is the output of layer I.
  template <std::size_t I>
  using boundary_shape = typename body::template shape<I>;
  using output_shape = boundary_shape<L>;
  using input_tensor = Tensor<T, input_shape, P>;
  using output_tensor = Tensor<T, output_shape, P>;

  // The same architecture with another element type or backend.
  template <class T2, class P2 = P>
  using rebind = basic_sequential<T2, P2, Input<Ds...>, Es...>;

  // False after a shape error has been reported; the rest of the class still compiles so that the
  // first error is the only one.
  static constexpr bool shapes_ok = detail::check_network<Input<Ds...>, Es...>::ok;

  static constexpr auto param_offsets = body::param_offsets;
  static constexpr std::size_t parameter_count = body::parameter_count;
  static constexpr auto buffer_offsets = body::buffer_offsets;
  static constexpr std::size_t buffer_count = body::buffer_count;
  template <std::size_t I>
  static constexpr bool fuses_next = body::template fuses_next<I>;
  template <std::size_t I>
  static constexpr bool fused_into_previous = body::template fused_into_previous<I>;

  // The recorded workspace, per sample: the input, the output, then the body's saved region.
  static constexpr std::size_t workspace_per_sample =
      input_shape::size + output_shape::size + body::saved_per_sample;

  // The parameters are initialised as PyTorch does, from a generator seeded with `seed`.
  explicit basic_sequential(std::uint64_t seed = 0)
      : params_(B::template allocate<T>(parameter_count)),
        grads_(B::template allocate<T>(parameter_count)),
        buffers_(B::template allocate<T>(buffer_count)),
        seed_(seed) {
    reset_parameters(seed);
    for (const auto& info : named_parameters())
      if (!info.trainable) frozen_.push_back(info.name);
    update_ranges();
  }

  // Parameters as PyTorch initialises them, and buffers (running statistics) to their start.
  void reset_parameters(std::uint64_t seed) {
    Generator rng(seed);
    std::vector<T> host(parameter_count);
    std::vector<T> host_buffers(buffer_count);
    body::reset_parameters(std::span<T>(host), rng);
    body::reset_buffers(std::span<T>(host_buffers));
    B::copy_from_host(host.data(), host.size(), B::data(params_));
    B::copy_from_host(host_buffers.data(), host_buffers.size(), B::data(buffers_));
    params_version_ = next_parameter_version();
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
    output_tensor y;
    forward(x, y);
    return y;
  }

  // The same into y, which is resized only when the batch changes: with the workspace kept from
  // the last call, a step of the same batch allocates nothing.
  template <class X>
  void forward(const X& x, output_tensor& y) {
    check_input<X>();
    const std::size_t batch = x.batch();
    if (batch != recorded_batch_) {
      acts_ = B::template allocate<T>(workspace_per_sample * batch);
      scratch_ = B::template allocate<T>(scratch_size(batch));
      recorded_batch_ = batch;
    }
    has_record_ = false;
    ++forward_count_;
    auto a = recorded_pass();
    B::copy(x.data(), x.size(), const_cast<T*>(a.x));
    a.update_buffers = B::data(buffers_);
    body::template forward<P>(a);
    has_record_ = true;
    y.resize(batch);
    B::copy(a.y, y.size(), y.data());
  }

  // Reverse pass from dL/dy, for the batch recorded by the last forward. Gradients accumulate.
  void backward(const output_tensor& dy) { backward_impl(dy, nullptr); }

  // The same, and also dL/dx.
  void backward(const output_tensor& dy, input_tensor& dx) {
    dx.resize(dy.batch());
    B::fill(dx.data(), dx.size(), T(0));  // some layers accumulate into dx
    backward_impl(dy, dx.data());
  }

  // Inference: keeps nothing in the network, safe from several threads on a const network.
  template <class X>
  output_tensor operator()(const X& x) const {
    output_tensor y;
    (*this)(x, y);
    return y;
  }

  // The same into y, resized only when the batch changes. The layers' scratch memory is per
  // thread and kept, so repeated calls allocate nothing.
  template <class X>
  void operator()(const X& x, output_tensor& y) const {
    check_input<X>();
    const std::size_t batch = x.batch();
    y.resize(batch);
    layer_pass<T> a;
    a.batch = batch;
    a.x = x.data();
    a.y = y.data();
    a.params = B::data(params_);
    a.params_version = params_version_;
    a.buffers = B::data(buffers_);
    a.training = false;
    if constexpr (scratch_size(1) == 0) {
      body::template forward<P>(a);
    } else if constexpr (std::is_same_v<P, policy::cpu>) {
      a.scratch = inference_scratch(batch);
      body::template forward<P>(a);
    } else {  // device memory is not kept in thread_local storage, which outlives the runtime
      vector_type scratch = B::template allocate<T>(scratch_size(batch));
      a.scratch = B::data(scratch);
      body::template forward<P>(a);
    }
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
    bool trainable = true;          // false: a constant (Frozen<L>); see also requires_grad(name)
    bool integral = false;          // a count, int64 in PyTorch's state_dict (num_batches_tracked)
  };

  // Every parameter in PyTorch's state_dict order.
  static std::vector<parameter_info> named_parameters() { return collect<false>(); }
  // Every buffer ("1.running_mean", ...): state that is saved but not trained.
  static std::vector<parameter_info> named_buffers() { return collect<true>(); }

  // Freezes (false) or unfreezes (true) every parameter whose name is `key` or starts with
  // `key` + ".", as requires_grad_ in PyTorch: "0" is all of layer 0, "0.weight" one tensor. A
  // frozen parameter gets no gradient and optimisers leave it as it is.
  void set_requires_grad(std::string_view key, bool requires_grad) {
    std::vector<std::string> matched;
    for (const auto& info : collect<false>()) {
      const bool match =
          info.name == key || (info.name.size() > key.size() && info.name.starts_with(key) &&
                               info.name[key.size()] == '.');
      if (!match) continue;
      if (requires_grad && is_constant(info.name))
        throw state_error("ctnn::Sequential::set_requires_grad: \"" + info.name +
                          "\" is a constant (Frozen<...> in the type) and cannot be trained");
      matched.push_back(info.name);
    }
    if (matched.empty()) find(key, collect<false>());  // throws, listing the names
    for (const auto& name : matched) {
      std::erase(frozen_, name);
      if (!requires_grad) frozen_.push_back(name);
    }
    update_ranges();
  }
  bool requires_grad(std::string_view name) const {
    find(name, collect<false>());
    return !is_frozen(name);
  }

  // The parts of the flat buffer that optimisers update, as [offset, offset + size) ranges.
  struct range {
    std::size_t offset;
    std::size_t size;
  };
  const std::vector<range>& trainable_ranges() const { return trainable_; }

  // Gradients accumulate over backward calls, as in PyTorch; this clears them.
  void zero_grad() { B::fill(B::data(grads_), parameter_count, T(0)); }

  // The flat buffers, in the backend's memory: what optimisers work on. Each call of the non-const
  // parameter_data() tells the network that its parameters may change (inference may keep what
  // it derives from them, see parameter_version.hpp): call it again for each change rather than
  // writing through a pointer kept from before an inference.
  T* parameter_data() {
    params_version_ = next_parameter_version();
    return B::data(params_);
  }
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
    params_version_ = next_parameter_version();
  }

  // One parameter by its PyTorch name.
  std::vector<T> parameter(std::string_view name) const {
    const auto info = find(name, collect<false>());
    return to_host(B::data(params_), info.offset, info.size);
  }
  std::vector<T> gradient(std::string_view name) const {
    const auto info = find(name, collect<false>());
    return to_host(B::data(grads_), info.offset, info.size);
  }
  void set_parameter(std::string_view name, std::span<const T> values) {
    const auto info = find(name, collect<false>());
    check_size("set_parameter", info, values.size());
    B::copy_from_host(values.data(), values.size(), B::data(params_) + info.offset);
    params_version_ = next_parameter_version();
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

  // A table of the layers (nested blocks indented), their output shapes and parameter counts,
  // and the totals, as torchsummary / Keras' model.summary() print it.
  std::string summary() const {
    std::vector<summary_row> rows;
    body::describe(rows, 0);
    std::size_t trainable = 0;
    for (const auto& r : trainable_) trainable += r.size;
    return format_summary(rows, parameter_count, trainable, buffer_count);
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
      return net->parameter(prefixed(body::template key<I>, name).view());
    }
    std::vector<T> gradient(std::string_view name) const {
      return net->gradient(prefixed(body::template key<I>, name).view());
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

  static constexpr std::size_t scratch_size(std::size_t batch) {
    return body::scratch_per_sample * batch + body::scratch_per_call;
  }

  // Scratch for inference on the CPU, one per thread and network type, grown to the largest batch
  // seen.
  static T* inference_scratch(std::size_t batch) {
    thread_local vector_type scratch = B::template allocate<T>(0);
    thread_local std::size_t capacity = 0;
    if (capacity < batch) {
      scratch = B::template allocate<T>(scratch_size(batch));
      capacity = batch;
    }
    return B::data(scratch);
  }

  // The pass over the recorded workspace: [x | y | body's saved region].
  layer_pass<T> recorded_pass() {
    const std::size_t batch = recorded_batch_;
    layer_pass<T> a;
    a.batch = batch;
    a.x = B::data(acts_);
    a.y = B::data(acts_) + input_shape::size * batch;
    if constexpr (body::saved_per_sample > 0)
      a.saved = B::data(acts_) + (input_shape::size + output_shape::size) * batch;
    a.params = B::data(params_);
    a.grads = B::data(grads_);
    a.buffers = B::data(buffers_);
    a.scratch = B::data(scratch_);
    a.seed = mix64(seed_ ^ forward_count_);
    a.training = training_;
    return a;
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
      dy_copy_ = B::template allocate<T>(output_shape::size * batch);
      grad_batch_ = batch;
    }
    B::copy(dy.data(), dy.size(), B::data(dy_copy_));  // layers may overwrite their dy
    auto a = recorded_pass();
    a.dy = B::data(dy_copy_);
    a.dx = dx_out;
    body::template backward<P>(a);
    for (const auto& r : frozen_ranges_) B::fill(B::data(grads_) + r.offset, r.size, T(0));
  }

  template <bool Buffers>
  static std::vector<parameter_info> collect() {
    std::vector<parameter_info> out;
    const auto& specs = Buffers ? std::span<const param_spec>(body::buffers)
                                : std::span<const param_spec>(body::parameters);
    std::size_t offset = 0, layer = 0;
    for (std::size_t k = 0; k < specs.size(); ++k) {
      const auto& begin = Buffers ? body::buffer_spec_begin : body::spec_begin;
      while (layer + 1 < L && k >= begin[layer + 1]) ++layer;
      const param_spec& spec = specs[k];
      out.push_back({std::string(spec.name.view()), layer, offset, spec.size(),
                     std::vector<std::size_t>(spec.dims.begin(), spec.dims.begin() + spec.rank),
                     spec.trainable, spec.integral});
      offset += spec.size();
    }
    return out;
  }
  bool is_frozen(std::string_view name) const {
    return std::find(frozen_.begin(), frozen_.end(), name) != frozen_.end();
  }
  static bool is_constant(std::string_view name) {
    for (const param_spec& spec : body::parameters)
      if (spec.name == name) return !spec.trainable;
    return false;
  }
  // The trainable and frozen parts of the flat buffer, merged into as few ranges as possible.
  void update_ranges() {
    trainable_.clear();
    frozen_ranges_.clear();
    for (const auto& info : named_parameters()) {
      auto& ranges = is_frozen(info.name) ? frozen_ranges_ : trainable_;
      if (!ranges.empty() && ranges.back().offset + ranges.back().size == info.offset)
        ranges.back().size += info.size;
      else
        ranges.push_back({info.offset, info.size});
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
  vector_type dy_copy_ = B::template allocate<T>(0);
  std::vector<std::string> frozen_;
  std::vector<range> trainable_;
  std::vector<range> frozen_ranges_;
  std::size_t recorded_batch_ = 0;
  std::size_t grad_batch_ = 0;
  bool has_record_ = false;
  bool training_ = true;  // PyTorch modules start in training mode
  std::uint64_t seed_ = 0;
  std::uint64_t forward_count_ = 0;
  std::uint64_t params_version_ = 0;  // see parameter_version.hpp; 0 until reset_parameters
};

namespace detail {
template <std::size_t... Ds, class... Es>
struct sequential_block<Input<Ds...>, Es...> : chain_layer<false, Es...> {
  static constexpr std::string_view name = "Sequential";
  template <class At, class From, class In>
  using check =
      ::ctnn::check::all_of<::ctnn::check::block_input<At, From, In, Shape<Ds...>>,
                            typename chain_layer<false, Es...>::template check<At, From, In>>;
};
}  // namespace detail

// The network as users write it: float on the CPU backend. Use Net::rebind<T, Policy> for others.
template <class... Args>
using Sequential = basic_sequential<float, policy::cpu, Args...>;

}  // namespace ctnn
