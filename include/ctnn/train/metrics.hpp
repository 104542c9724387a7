// Metrics of a classifier over many batches: a confusion matrix (rows: true class, columns:
// predicted class, as sklearn's confusion_matrix) and the accuracy it implies.
//
// Which class an output row predicts depends on the head, so the caller says which one it is:
//   argmax          C > 1 outputs per sample (logits, probabilities, log-probabilities)
//   probability     one output, a probability (after Sigmoid): class 1 when >= 0.5
//   logit           one output, a logit (before BCEWithLogitsLoss): class 1 when >= 0
// automatic picks argmax for C > 1 and probability for C == 1.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include "ctnn/config.hpp"
#include "ctnn/core/errors.hpp"

namespace ctnn::metrics {

enum class head { automatic, argmax, probability, logit, none };

// The class predicted by one sample's `count` outputs.
template <class V>
std::size_t predicted_class(const V* outputs, std::size_t count, head kind) {
  if (kind == head::automatic) kind = count > 1 ? head::argmax : head::probability;
  switch (kind) {
    case head::probability:
      return outputs[0] >= V(0.5) ? 1 : 0;
    case head::logit:
      return outputs[0] >= V(0) ? 1 : 0;
    default:
      return std::size_t(std::max_element(outputs, outputs + count) - outputs);
  }
}

// Classes known from the head: C for argmax, 2 for one output.
inline std::size_t class_count(std::size_t outputs) {
  return outputs > 1 ? outputs : 2;
}

class confusion_matrix {
 public:
  explicit confusion_matrix(std::size_t classes = 0)
      : classes_(classes), counts_(classes * classes) {}

  std::size_t classes() const { return classes_; }
  std::size_t total() const { return total_; }
  std::size_t correct() const { return correct_; }
  double accuracy() const { return total_ ? double(correct_) / double(total_) : 0.0; }
  std::size_t operator()(std::size_t truth, std::size_t predicted) const {
    return counts_[truth * classes_ + predicted];
  }

  void add(std::size_t truth, std::size_t predicted) {
    if (truth >= classes_ || predicted >= classes_)
      throw index_error("ctnn::metrics::confusion_matrix: class " +
                        std::to_string(std::max(truth, predicted)) + " of " +
                        std::to_string(classes_) + " classes");
    ++counts_[truth * classes_ + predicted];
    ++total_;
    correct_ += truth == predicted;
  }

  // Every sample of a batch: `outputs` holds batch rows of `per_sample` values, `targets` the
  // class of each row (as values of the network's type, the loader's targets).
  template <class V>
  void add_batch(const std::vector<V>& outputs, const std::vector<V>& targets, head kind) {
    const std::size_t per_sample = targets.empty() ? 0 : outputs.size() / targets.size();
    for (std::size_t b = 0; b < targets.size(); ++b) {
      const double t = double(targets[b]);
      if (!(t >= 0) || t != std::floor(t))
        throw index_error("ctnn::metrics::confusion_matrix: target " + std::to_string(t) +
                          " of a classifier is not a class index");
      add(std::size_t(t), predicted_class(outputs.data() + b * per_sample, per_sample, kind));
    }
  }

  // A fixed-width table with one row per true class, then the accuracy.
  CTNN_RUN_ONCE std::string format(const std::vector<std::string>& names = {}) const;

 private:
  std::size_t classes_;
  std::vector<std::size_t> counts_;
  std::size_t total_ = 0, correct_ = 0;
};

}  // namespace ctnn::metrics

#if !defined(CTNN_SEPARATE_COMPILATION)
#include "ctnn/train/metrics.ipp"
#endif
