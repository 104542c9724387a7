// Elementwise activation layers. Each is an op tag from core/ops.hpp; the derivative used by
// backward is the op evaluated on Dual numbers. After a layer with an epilogue (Linear) Sequential
// fuses the op into that layer's bias pass, so the activation costs no extra pass over memory.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include "ctnn/core/backend.hpp"
#include "ctnn/core/layer_pass.hpp"
#include "ctnn/core/ops.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/random.hpp"
#include "ctnn/core/static_checks.hpp"

namespace ctnn {

template <class Op>
struct ElementwiseLayer : no_parameters {
  using op_type = Op;

  template <class In>
  using output_shape = In;

  template <class At, class From, class In>
  using check = check::any_input<At, From, In>;

  template <class In, class P, class T>
  static void forward(const layer_pass<T>& a) {
    backend<P>::map(a.batch * In::size, Op{}, a.y, a.x);
  }

  template <class In, class P, class T>
  static void backward(const layer_pass<T>& a) {
    if (a.dx) backend<P>::map(a.batch * In::size, op::GradThrough<Op>{}, a.dx, a.x, a.dy);
  }
};

struct ReLU : ElementwiseLayer<op::Relu> {
  static constexpr std::string_view name = "ReLU";
};

struct Sigmoid : ElementwiseLayer<op::Sigmoid> {
  static constexpr std::string_view name = "Sigmoid";
};

struct Tanh : ElementwiseLayer<op::Tanh> {
  static constexpr std::string_view name = "Tanh";
};

// PyTorch's default negative slope is 0.01.
template <float NegativeSlope = 0.01f>
struct LeakyReLU : ElementwiseLayer<op::LeakyRelu<NegativeSlope>> {
  static constexpr std::string_view name = "LeakyReLU";
};

// The exact form 0.5 x (1 + erf(x / sqrt 2)), PyTorch's default (approximate='none').
struct GELU : ElementwiseLayer<op::Gelu> {
  static constexpr std::string_view name = "GELU";
};

}  // namespace ctnn
