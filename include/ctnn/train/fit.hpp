// The training loop a PyTorch learner writes by hand, as one call, and its evaluation:
//
//   auto history = ctnn::fit(net, loss::CrossEntropyLoss{}, opt, train_loader, test_loader,
//                            {.epochs = 5, .csv_log = "mnist.csv"});
//   auto result = ctnn::evaluate(net, loss::CrossEntropyLoss{}, test_loader);
//   std::cout << result.confusion.format();
//
// Each epoch: train mode, every batch through train_step, a progress bar, then the validation set
// (if any) through inference, one summary line, a CSV row, the callbacks. Losses are means over
// samples (a loss with reduction mean, weighted by each batch's size). Accuracy follows
// fit_options::head (metrics.hpp); targets that are not class indices switch it off under
// head::automatic (a regression) and are an error under an explicit head.
#pragma once

#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <limits>
#include <ostream>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "ctnn/config.hpp"
#include "ctnn/core/errors.hpp"
#include "ctnn/train/callbacks.hpp"
#include "ctnn/train/metrics.hpp"
#include "ctnn/train/progress.hpp"
#include "ctnn/train/train_step.hpp"

namespace ctnn {

struct fit_options {
  std::size_t epochs = 1;
  metrics::head head = metrics::head::automatic;      // how accuracy reads the outputs
  progress_mode progress = progress_mode::automatic;  // a bar on a terminal, else lines
  std::ostream* out = &std::cout;                     // progress and summaries; nullptr: quiet
  std::filesystem::path csv_log;                      // one row per epoch; empty: none
  std::vector<callback> callbacks;
};

struct history {
  std::vector<epoch_record> epochs;
  bool stopped_early = false;
  std::string stop_reason;
};

struct evaluation {
  double loss = std::numeric_limits<double>::quiet_NaN();
  double accuracy = std::numeric_limits<double>::quiet_NaN();  // NaN: no accuracy for this head
  metrics::confusion_matrix confusion;
  std::size_t samples = 0;
};

namespace detail {

// Sums a loss and a confusion matrix over batches.
class epoch_tally {
 public:
  epoch_tally(std::size_t outputs, metrics::head head)
      : head_(head), confusion_(metrics::class_count(outputs)) {}

  void add_loss(double mean_loss, std::size_t batch) {
    loss_sum_ += mean_loss * double(batch);
    samples_ += batch;
  }

  template <class Prediction, class Target>
  void add_predictions(const Prediction& prediction, const Target& target) {
    if (head_ == metrics::head::none) return;
    const auto targets = target.to_host();
    if (head_ == metrics::head::automatic)
      for (const auto t : targets)
        if (!(t >= 0) || t != std::floor(t) || std::size_t(t) >= confusion_.classes()) {
          head_ = metrics::head::none;  // not a classifier's targets
          return;
        }
    confusion_.add_batch(prediction.to_host(), targets, head_);
  }

  double loss() const { return samples_ ? loss_sum_ / double(samples_) : 0.0; }
  double accuracy() const {
    return head_ == metrics::head::none || confusion_.total() == 0
               ? std::numeric_limits<double>::quiet_NaN()
               : confusion_.accuracy();
  }
  std::size_t samples() const { return samples_; }
  const metrics::confusion_matrix& confusion() const { return confusion_; }

 private:
  metrics::head head_;
  metrics::confusion_matrix confusion_;
  double loss_sum_ = 0;
  std::size_t samples_ = 0;
};

CTNN_RUN_ONCE std::string percent(double fraction);

CTNN_RUN_ONCE std::string summary_line(const epoch_record& r, std::size_t epochs);

// Empty for NaN, as pandas reads a missing value.
CTNN_RUN_ONCE std::string csv_number(double v);

class csv_log {
 public:
  explicit csv_log(const std::filesystem::path& path) {
    if (path.empty()) return;
    file_.open(path, std::ios::trunc);
    if (!file_)
      throw io_error("ctnn::fit: cannot write the CSV log " + path.string() +
                     " (does its directory exist?)");
    file_ << "epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds\n" << std::flush;
  }
  void add(const epoch_record& r) {
    if (!file_.is_open()) return;
    file_ << r.epoch << ',' << csv_number(r.train_loss) << ',' << csv_number(r.train_accuracy)
          << ',' << csv_number(r.val_loss) << ',' << csv_number(r.val_accuracy) << ','
          << csv_number(r.lr) << ',' << csv_number(r.seconds) << '\n'
          << std::flush;
  }

 private:
  std::ofstream file_;
};

struct no_validation {};

template <class Opt>
double current_lr(const Opt& opt) {
  if constexpr (requires { opt.lr(); })
    return double(opt.lr());
  else
    return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace detail

// Loss (and accuracy, confusion matrix) of the whole loader, by inference: no dropout, batch
// norm's running statistics, the network unchanged.
template <class Net, class Loss, class Loader>
evaluation evaluate(const Net& net, const Loss& loss, Loader& loader,
                    metrics::head head = metrics::head::automatic) {
  detail::epoch_tally tally(Net::output_shape::size, head);
  for (const auto& batch : loader) {
    const auto prediction = net(batch.input);
    tally.add_loss(double(loss.value(prediction, batch.target)), batch.target.batch());
    tally.add_predictions(prediction, batch.target);
  }
  evaluation e;
  e.loss = tally.loss();
  e.accuracy = tally.accuracy();
  e.confusion = tally.confusion();
  e.samples = tally.samples();
  return e;
}

template <class Net, class Loss, class Opt, class Loader, class Validation>
history fit(Net& net, const Loss& loss, Opt& opt, Loader& train, Validation& validation,
            const fit_options& options) {
  constexpr bool validate = !std::is_same_v<Validation, detail::no_validation>;
  detail::csv_log csv(options.csv_log);
  std::ostream null_stream(nullptr);
  std::ostream& out = options.out ? *options.out : null_stream;
  const progress_mode mode = options.out ? options.progress : progress_mode::none;
  history h;
  for (std::size_t e = 1; e <= options.epochs; ++e) {
    epoch_record r;
    r.epoch = e;
    r.lr = detail::current_lr(opt);
    net.train();
    progress_bar bar(out, mode, e, options.epochs, train.size());
    detail::epoch_tally tally(Net::output_shape::size, options.head);
    std::size_t done = 0;
    for (const auto& batch : train) {
      double value = 0;
      try {
        value = double(train_step(
            net, loss, opt, batch.input, batch.target,
            [&](const auto& prediction) { tally.add_predictions(prediction, batch.target); }));
      } catch (const numeric_error& error) {
        throw numeric_error("ctnn::fit: epoch " + std::to_string(e) + ", batch " +
                            std::to_string(done + 1) + ": " + error.what());
      }
      tally.add_loss(value, batch.target.batch());
      ++done;
      bar.update(done, tally.loss());
      for (const auto& c : options.callbacks)
        if (c.on_batch_end) c.on_batch_end(done, value);
    }
    r.train_loss = tally.loss();
    r.train_accuracy = tally.accuracy();
    if constexpr (validate) {
      const evaluation v = evaluate(net, loss, validation, options.head);
      r.val_loss = v.loss;
      r.val_accuracy = v.accuracy;
    }
    r.seconds = bar.seconds();
    if (mode != progress_mode::none)
      out << detail::summary_line(r, options.epochs) << '\n' << std::flush;
    csv.add(r);
    h.epochs.push_back(r);
    fit_control control;
    for (const auto& c : options.callbacks)
      if (c.on_epoch_end) c.on_epoch_end(r, control);
    if (control.stop) {
      h.stopped_early = true;
      h.stop_reason = control.reason;
      if (mode != progress_mode::none) out << control.reason << '\n';
      break;
    }
  }
  return h;
}

// Without a validation set.
template <class Net, class Loss, class Opt, class Loader>
history fit(Net& net, const Loss& loss, Opt& opt, Loader& train, const fit_options& options) {
  detail::no_validation none;
  return fit(net, loss, opt, train, none, options);
}

}  // namespace ctnn

#if !defined(CTNN_SEPARATE_COMPILATION)
#include "ctnn/train/fit.ipp"
#endif
