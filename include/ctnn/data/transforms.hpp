// Transforms of one sample, as torchvision.transforms, and the dataset that applies them:
//
//   auto train = data::Transformed(mnist_train, transforms::Compose<
//       transforms::RandomAffine, transforms::Normalize>{{.degrees = {-10, 10}, .translate = 0.1},
//                                                        {.mean = 0.1307, .std = 0.3081}},
//       /*seed=*/1);
//
// A transform maps the features of one (C, H, W) sample (or any shape for the elementwise ones):
//   template <class In> using output_shape = ...;
//   template <class In> void apply(const float* in, float* out, Generator& rng) const;
// Random transforms draw from `rng`; the dataset gives each draw its own generator, seeded from
// its seed and a draw counter, so a seeded run augments the same way every time and each epoch
// sees other augmentations.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "ctnn/core/random.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/data/dataset.hpp"

namespace ctnn::data {

namespace transforms {

struct range {
  double low = 0, high = 0;
};

enum class interpolation { nearest, bilinear };

namespace detail {
template <class In>
constexpr void require_image() {
  static_assert(In::rank == 3, "ctnn::data::transforms: this transform takes (C, H, W) samples");
}

// Bilinear or nearest sample of plane `p` (H x W) at real coordinates (x, y); 0 outside.
template <std::size_t H, std::size_t W>
float sample(const float* p, double x, double y, interpolation mode) {
  if (mode == interpolation::nearest) {
    const long xi = std::lround(x), yi = std::lround(y);
    return xi < 0 || yi < 0 || xi >= long(W) || yi >= long(H) ? 0.0f : p[yi * long(W) + xi];
  }
  const double x0 = std::floor(x), y0 = std::floor(y);
  const double fx = x - x0, fy = y - y0;
  const auto at = [&](double yy, double xx) -> double {
    return xx < 0 || yy < 0 || xx >= double(W) || yy >= double(H)
               ? 0.0
               : p[std::size_t(yy) * W + std::size_t(xx)];
  };
  return float((1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) +
               fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1)));
}
}  // namespace detail

// (x - mean) / std for every feature, as Normalize with one mean and std for all channels.
struct Normalize {
  double mean = 0, std = 1;
  template <class In>
  using output_shape = In;
  template <class In>
  void apply(const float* in, float* out, Generator&) const {
    for (std::size_t i = 0; i < In::size; ++i) out[i] = float((in[i] - mean) / std);
  }
};

// Mirrors the width axis with probability p.
struct RandomHorizontalFlip {
  double p = 0.5;
  template <class In>
  using output_shape = In;
  template <class In>
  void apply(const float* in, float* out, Generator& rng) const {
    detail::require_image<In>();
    constexpr std::size_t W = In::dims[2];
    const bool flip = rng.uniform(0.0, 1.0) < p;
    for (std::size_t row = 0; row < In::size / W; ++row)
      for (std::size_t x = 0; x < W; ++x) out[row * W + x] = in[row * W + (flip ? W - 1 - x : x)];
  }
};

// Pads every side with `padding` zeros and crops an H x W window at a random place: the image
// shifted by up to `padding` pixels each way, as RandomCrop(size = (H, W), padding).
struct RandomCrop {
  std::size_t padding = 0;
  template <class In>
  using output_shape = In;
  template <class In>
  void apply(const float* in, float* out, Generator& rng) const {
    detail::require_image<In>();
    constexpr std::size_t H = In::dims[1], W = In::dims[2];
    const auto shift = [&] {
      return long(rng.uniform(0.0, double(2 * padding + 1))) - long(padding);
    };
    const long dy = shift(), dx = shift();
    for (std::size_t c = 0; c < In::dims[0]; ++c)
      for (std::size_t y = 0; y < H; ++y)
        for (std::size_t x = 0; x < W; ++x)  // whole-pixel positions: nearest is exact
          out[(c * H + y) * W + x] = detail::sample<H, W>(
              in + c * H * W, double(long(x) + dx), double(long(y) + dy), interpolation::nearest);
  }
};

// Rotation by an angle drawn from `degrees` (counter-clockwise, about the centre), a shift of up to
// translate * size each way and a scale drawn from `scale`, as RandomAffine; the corners are
// filled with 0. Nearest-neighbour by default, as torchvision.
struct RandomAffine {
  range degrees{0, 0};
  double translate = 0;  // fraction of the width and of the height
  range scale{1, 1};
  interpolation mode = interpolation::nearest;

  template <class In>
  using output_shape = In;
  template <class In>
  void apply(const float* in, float* out, Generator& rng) const {
    detail::require_image<In>();
    constexpr std::size_t H = In::dims[1], W = In::dims[2];
    const double angle = rng.uniform(degrees.low, degrees.high) * std::numbers::pi / 180;
    const double tx = std::round(rng.uniform(-translate, translate) * W);
    const double ty = std::round(rng.uniform(-translate, translate) * H);
    const double s = rng.uniform(scale.low, scale.high);
    const double cx = (double(W) - 1) / 2, cy = (double(H) - 1) / 2;
    // Output pixel -> input position: undo the shift, the scale and the rotation. With y pointing
    // down, a counter-clockwise turn on screen maps (u, v) to (u cos + v sin, -u sin + v cos).
    const double c = std::cos(angle) / s, sn = std::sin(angle) / s;
    for (std::size_t ch = 0; ch < In::dims[0]; ++ch)
      for (std::size_t y = 0; y < H; ++y)
        for (std::size_t x = 0; x < W; ++x) {
          const double u = double(x) - cx - tx, v = double(y) - cy - ty;
          const double sx = c * u - sn * v + cx, sy = sn * u + c * v + cy;
          out[(ch * H + y) * W + x] = detail::sample<H, W>(in + ch * H * W, sx, sy, mode);
        }
  }
};

// RandomAffine with only a rotation, as RandomRotation(degrees).
struct RandomRotation {
  range degrees{0, 0};
  interpolation mode = interpolation::nearest;
  template <class In>
  using output_shape = In;
  template <class In>
  void apply(const float* in, float* out, Generator& rng) const {
    RandomAffine{.degrees = degrees, .mode = mode}.template apply<In>(in, out, rng);
  }
};

// Bilinear resize to OH x OW, as F.interpolate(mode="bilinear", align_corners=False) (torchvision's
// Resize without antialiasing).
template <std::size_t OH, std::size_t OW>
struct Resize {
  template <class In>
  using output_shape = Shape<In::dims[0], OH, OW>;
  template <class In>
  void apply(const float* in, float* out, Generator&) const {
    detail::require_image<In>();
    constexpr std::size_t H = In::dims[1], W = In::dims[2];
    const auto source = [](std::size_t o, std::size_t from, std::size_t to) {
      return std::max(0.0, (double(o) + 0.5) * double(from) / double(to) - 0.5);
    };
    for (std::size_t c = 0; c < In::dims[0]; ++c)
      for (std::size_t y = 0; y < OH; ++y)
        for (std::size_t x = 0; x < OW; ++x) {
          // Clamp at the last row and column, as PyTorch does, instead of fading to 0.
          const double sy = std::min(source(y, H, OH), double(H - 1));
          const double sx = std::min(source(x, W, OW), double(W - 1));
          const std::size_t y0 = std::size_t(sy), x0 = std::size_t(sx);
          const std::size_t y1 = std::min(y0 + 1, H - 1), x1 = std::min(x0 + 1, W - 1);
          const double fy = sy - double(y0), fx = sx - double(x0);
          const float* p = in + c * H * W;
          out[(c * OH + y) * OW + x] =
              float((1 - fy) * ((1 - fx) * p[y0 * W + x0] + fx * p[y0 * W + x1]) +
                    fy * ((1 - fx) * p[y1 * W + x0] + fx * p[y1 * W + x1]));
        }
  }
};

namespace detail {
// The shape after a list of transforms.
template <class In, class... Ts>
auto shape_after() {
  if constexpr (sizeof...(Ts) == 0) {
    return In{};
  } else {
    return []<class First, class... Rest>(std::type_identity<First>, std::type_identity<Rest>...) {
      return shape_after<typename First::template output_shape<In>, Rest...>();
    }(std::type_identity<Ts>{}...);
  }
}
}  // namespace detail

// Several transforms, the first applied first.
template <class... Ts>
struct Compose {
  std::tuple<Ts...> steps;
  Compose(Ts... ts) : steps(std::move(ts)...) {}

  template <class In>
  using output_shape = decltype(detail::shape_after<In, Ts...>());

  template <class In>
  void apply(const float* in, float* out, Generator& rng) const {
    apply_from<0, In>(in, out, rng);
  }

 private:
  template <std::size_t I, class In>
  void apply_from(const float* in, float* out, Generator& rng) const {
    using Step = std::tuple_element_t<I, std::tuple<Ts...>>;
    using Next = typename Step::template output_shape<In>;
    if constexpr (I + 1 == sizeof...(Ts)) {
      std::get<I>(steps).template apply<In>(in, out, rng);
    } else {
      // One buffer per step and thread, reused: no allocation per sample.
      thread_local std::vector<float> between(Next::size);
      std::get<I>(steps).template apply<In>(in, between.data(), rng);
      apply_from<I + 1, Next>(between.data(), out, rng);
    }
  }
};

}  // namespace transforms

// The samples of `base` through a transform (a "mapped" dataset), as a torchvision dataset with
// transform=. It refers to `base`, which must outlive it.
template <Dataset D, class Transform>
class Transformed {
 public:
  using input_shape = typename Transform::template output_shape<typename D::input_shape>;

  Transformed(const D& base, Transform transform, std::uint64_t seed = 0)
      : base_(&base), transform_(std::move(transform)), seed_(seed) {}
  Transformed(const Transformed& other)
      : base_(other.base_),
        transform_(other.transform_),
        seed_(other.seed_),
        draws_(other.draws_.load()) {}

  std::size_t size() const { return base_->size(); }
  float get(std::size_t i, float* features) const {
    thread_local std::vector<float> raw(D::input_shape::size);  // reused: no allocation per sample
    const float target = base_->get(i, raw.data());
    Generator rng(mix64(seed_ ^ mix64(draws_.fetch_add(1) + 1)));
    transform_.template apply<typename D::input_shape>(raw.data(), features, rng);
    return target;
  }

 private:
  const D* base_;
  Transform transform_;
  std::uint64_t seed_;
  mutable std::atomic<std::uint64_t> draws_{0};
};

}  // namespace ctnn::data
