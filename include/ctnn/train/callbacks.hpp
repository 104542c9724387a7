// What fit() calls after each batch and each epoch, as Keras callbacks and Lightning hooks:
//
//   ctnn::fit(net, loss, opt, train, validation,
//             {.epochs = 20, .callbacks = {callbacks::early_stopping({.patience = 3}),
//                                          callbacks::save_each_epoch(net,
//                                          "lenet_{epoch}.safetensors"),
//                                          callbacks::step_each_epoch(scheduler)}});
//
// A callback is two optional functions; any lambda can be one.
#pragma once

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <utility>

#include "ctnn/io/checkpoint.hpp"

namespace ctnn {

// One epoch's figures; NaN where there was nothing to measure (no validation set, no accuracy).
struct epoch_record {
  std::size_t epoch = 0;  // 1-based
  double train_loss = std::numeric_limits<double>::quiet_NaN();
  double train_accuracy = std::numeric_limits<double>::quiet_NaN();
  double val_loss = std::numeric_limits<double>::quiet_NaN();
  double val_accuracy = std::numeric_limits<double>::quiet_NaN();
  double lr = std::numeric_limits<double>::quiet_NaN();  // during the epoch
  double seconds = 0;
};

enum class monitored { val_loss, val_accuracy, train_loss, train_accuracy };

inline double value_of(const epoch_record& r, monitored m) {
  switch (m) {
    case monitored::val_loss:
      return r.val_loss;
    case monitored::val_accuracy:
      return r.val_accuracy;
    case monitored::train_loss:
      return r.train_loss;
    default:
      return r.train_accuracy;
  }
}
inline bool higher_is_better(monitored m) {
  return m == monitored::val_accuracy || m == monitored::train_accuracy;
}

// What a callback may ask of the loop.
struct fit_control {
  bool stop = false;
  std::string reason;
};

struct callback {
  using epoch_hook = std::function<void(const epoch_record&, fit_control&)>;
  using batch_hook = std::function<void(std::size_t batch, double loss)>;  // batch is 1-based
  epoch_hook on_epoch_end;
  batch_hook on_batch_end;

  static callback after_epoch(epoch_hook f) { return {std::move(f), {}}; }
  static callback after_batch(batch_hook f) { return {{}, std::move(f)}; }
};

namespace callbacks {

struct early_stopping_options {
  monitored monitor = monitored::val_loss;
  std::size_t patience = 3;  // epochs without improvement before stopping
  double min_delta = 0;      // an improvement smaller than this does not count
};

// Stops when the monitored figure has not improved for `patience` epochs, as Keras' EarlyStopping.
inline callback early_stopping(early_stopping_options o = {}) {
  struct state {
    double best = std::numeric_limits<double>::quiet_NaN();
    std::size_t waited = 0;
  };
  auto s = std::make_shared<state>();
  return callback::after_epoch([o, s](const epoch_record& r, fit_control& control) {
    const double v = value_of(r, o.monitor);
    if (std::isnan(v)) return;
    const bool better =
        std::isnan(s->best) ||
        (higher_is_better(o.monitor) ? v > s->best + o.min_delta : v < s->best - o.min_delta);
    if (better) {
      s->best = v;
      s->waited = 0;
    } else if (++s->waited >= o.patience) {
      control.stop = true;
      control.reason = "early stopping: no improvement for " + std::to_string(s->waited) +
                       " epochs (best " + std::to_string(s->best) + ")";
    }
  });
}

// The file name for an epoch: "{epoch}" in the pattern is replaced by the epoch number.
inline std::filesystem::path epoch_path(std::string pattern, std::size_t epoch) {
  const auto at = pattern.find("{epoch}");
  if (at != std::string::npos) pattern.replace(at, 7, std::to_string(epoch));
  return pattern;
}

// Saves the parameters (safetensors, PyTorch's keys) after every epoch.
template <class Net>
callback save_each_epoch(const Net& net, std::string pattern) {
  return callback::after_epoch([&net, pattern](const epoch_record& r, fit_control&) {
    save(net, epoch_path(pattern, r.epoch), {{"epoch", std::to_string(r.epoch)}});
  });
}

// Saves only when the monitored figure is the best so far (one file, replaced atomically).
template <class Net>
callback save_best(const Net& net, std::filesystem::path path,
                   monitored monitor = monitored::val_loss) {
  auto best = std::make_shared<double>(std::numeric_limits<double>::quiet_NaN());
  return callback::after_epoch([&net, path, monitor, best](const epoch_record& r, fit_control&) {
    const double v = value_of(r, monitor);
    if (std::isnan(v)) return;
    if (std::isnan(*best) || (higher_is_better(monitor) ? v > *best : v < *best)) {
      *best = v;
      save(net, path, {{"epoch", std::to_string(r.epoch)}});
    }
  });
}

// A learning-rate scheduler stepped after each epoch (StepLR, CosineAnnealingLR, ...) or after
// each batch (OneCycleLR), as PyTorch's loops call scheduler.step().
template <class Scheduler>
callback step_each_epoch(Scheduler& scheduler) {
  return callback::after_epoch(
      [&scheduler](const epoch_record&, fit_control&) { scheduler.step(); });
}
template <class Scheduler>
callback step_each_batch(Scheduler& scheduler) {
  return callback::after_batch([&scheduler](std::size_t, double) { scheduler.step(); });
}

}  // namespace callbacks
}  // namespace ctnn
