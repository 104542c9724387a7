// Learning-rate schedulers, as torch.optim.lr_scheduler, in closed form over the epoch count:
//   StepLR             base * gamma^floor(epoch / step_size)
//   ExponentialLR      base * gamma^epoch
//   CosineAnnealingLR  eta_min + (base - eta_min) (1 + cos(pi epoch / t_max)) / 2
//   LinearLR           base * (start + (end - start) min(epoch, total_iters) / total_iters),
//   warm-up
//   OneCycleLR         per batch: from max_lr / div_factor up to max_lr over pct_start of
//                      total_steps, then down to initial / final_div_factor (cosine or linear);
//                      momentum is not cycled (PyTorch's cycle_momentum=False)
// Each holds the optimiser (anything with lr() and set_lr()), takes its learning rate at
// construction as the base, and sets the new one on step(), as PyTorch's scheduler.step().
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "ctnn/core/errors.hpp"

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

enum class anneal { cos, linear };
struct one_cycle_options {
  double max_lr = 0.1;
  std::size_t total_steps = 100;
  double pct_start = 0.3;
  anneal anneal_strategy = anneal::cos;
  double div_factor = 25;
  double final_div_factor = 1e4;
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
// PyTorch's two phases: the first ends at step pct_start * total - 1, the second at total - 1.
struct one_cycle {
  static double lr(double, const one_cycle_options& o, std::size_t e) {
    if (e > o.total_steps)
      throw state_error("ctnn::optim::OneCycleLR: stepped " + std::to_string(e) +
                        " times, more than total_steps = " + std::to_string(o.total_steps));
    const double initial = o.max_lr / o.div_factor, minimum = initial / o.final_div_factor;
    const double end1 = o.pct_start * double(o.total_steps) - 1, end2 = double(o.total_steps) - 1;
    const double step = double(e);
    const auto anneal_between = [&](double start, double end, double pct) {
      if (o.anneal_strategy == anneal::linear) return (end - start) * pct + start;
      const double pi = 3.141592653589793;
      return end + (start - end) / 2.0 * (std::cos(pi * pct) + 1);
    };
    if (step <= end1) return anneal_between(initial, o.max_lr, step / end1);
    return anneal_between(o.max_lr, minimum, (step - end1) / (end2 - end1));
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

// Steps once per batch, not per epoch, as in PyTorch; the optimiser's own lr is replaced.
template <class Opt>
struct OneCycleLR : lr_scheduler<Opt, one_cycle_options, schedules::one_cycle> {
  using lr_scheduler<Opt, one_cycle_options, schedules::one_cycle>::lr_scheduler;
};
template <class Opt>
OneCycleLR(Opt&, one_cycle_options) -> OneCycleLR<Opt>;

}  // namespace ctnn::optim
