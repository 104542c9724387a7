// Learning-rate schedulers, as torch.optim.lr_scheduler, in closed form over the epoch count:
//   StepLR             base * gamma^floor(epoch / step_size)
//   ExponentialLR      base * gamma^epoch
//   CosineAnnealingLR  eta_min + (base - eta_min) (1 + cos(pi epoch / t_max)) / 2
//   LinearLR           base * (start + (end - start) min(epoch, total_iters) / total_iters),
//   warm-up
// Each holds the optimiser (anything with lr() and set_lr()), takes its learning rate at
// construction as the base, and sets the new one on step(), as PyTorch's scheduler.step().
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace ctnn::optim {

struct step_lr_options {
  std::size_t step_size = 1;
  double gamma = 0.1;
};
struct exponential_lr_options {
  double gamma = 0.9;
};
struct cosine_annealing_options {
  std::size_t t_max = 1;
  double eta_min = 0;
};
struct linear_lr_options {
  double start_factor = 1.0 / 3;
  double end_factor = 1.0;
  std::size_t total_iters = 5;
};

template <class Opt, class Options, class Rule>
class lr_scheduler {
 public:
  lr_scheduler(Opt& opt, Options options) : opt_(&opt), options_(options), base_(opt.lr()) {
    opt_->set_lr(Rule::lr(base_, options_, 0));
  }
  void step() { opt_->set_lr(Rule::lr(base_, options_, ++epoch_)); }
  double lr() const { return opt_->lr(); }
  std::size_t epoch() const { return epoch_; }

 private:
  Opt* opt_;
  Options options_;
  double base_;
  std::size_t epoch_ = 0;
};

namespace schedules {
struct step {
  static double lr(double base, const step_lr_options& o, std::size_t e) {
    return base * std::pow(o.gamma, double(e / o.step_size));
  }
};
struct exponential {
  static double lr(double base, const exponential_lr_options& o, std::size_t e) {
    return base * std::pow(o.gamma, double(e));
  }
};
struct cosine {
  static double lr(double base, const cosine_annealing_options& o, std::size_t e) {
    const double pi = 3.141592653589793;
    return o.eta_min + (base - o.eta_min) * (1 + std::cos(pi * double(e) / double(o.t_max))) / 2;
  }
};
struct linear {
  static double lr(double base, const linear_lr_options& o, std::size_t e) {
    const double progress = double(std::min(e, o.total_iters)) / double(o.total_iters);
    return base * (o.start_factor + (o.end_factor - o.start_factor) * progress);
  }
};
}  // namespace schedules

template <class Opt>
struct StepLR : lr_scheduler<Opt, step_lr_options, schedules::step> {
  using lr_scheduler<Opt, step_lr_options, schedules::step>::lr_scheduler;
};
template <class Opt>
StepLR(Opt&, step_lr_options) -> StepLR<Opt>;

template <class Opt>
struct ExponentialLR : lr_scheduler<Opt, exponential_lr_options, schedules::exponential> {
  using lr_scheduler<Opt, exponential_lr_options, schedules::exponential>::lr_scheduler;
};
template <class Opt>
ExponentialLR(Opt&, exponential_lr_options) -> ExponentialLR<Opt>;

template <class Opt>
struct CosineAnnealingLR : lr_scheduler<Opt, cosine_annealing_options, schedules::cosine> {
  using lr_scheduler<Opt, cosine_annealing_options, schedules::cosine>::lr_scheduler;
};
template <class Opt>
CosineAnnealingLR(Opt&, cosine_annealing_options) -> CosineAnnealingLR<Opt>;

template <class Opt>
struct LinearLR : lr_scheduler<Opt, linear_lr_options, schedules::linear> {
  using lr_scheduler<Opt, linear_lr_options, schedules::linear>::lr_scheduler;
};
template <class Opt>
LinearLR(Opt&, linear_lr_options) -> LinearLR<Opt>;

}  // namespace ctnn::optim
