// Definitions of fit.hpp: the epoch's summary line and the CSV numbers.
// Included by its header (header-only) or by <ctnn/src.hpp> (CTNN_SEPARATE_COMPILATION).
#pragma once

#include <cmath>
#include <iomanip>
#include <sstream>

#include "ctnn/train/fit.hpp"

namespace ctnn::detail {

CTNN_RUN_ONCE std::string percent(double fraction) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(2) << 100 * fraction << '%';
  return s.str();
}

CTNN_RUN_ONCE std::string summary_line(const epoch_record& r, std::size_t epochs) {
  std::ostringstream s;
  s << "epoch " << r.epoch << '/' << epochs << ": train loss " << std::fixed << std::setprecision(4)
    << r.train_loss;
  if (!std::isnan(r.train_accuracy)) s << " acc " << percent(r.train_accuracy);
  if (!std::isnan(r.val_loss)) s << " | val loss " << std::setprecision(4) << r.val_loss;
  if (!std::isnan(r.val_accuracy)) s << " acc " << percent(r.val_accuracy);
  if (!std::isnan(r.lr)) s << " | lr " << std::defaultfloat << std::setprecision(3) << r.lr;
  s << " | " << std::fixed << std::setprecision(1) << r.seconds << " s";
  return s.str();
}

CTNN_RUN_ONCE std::string csv_number(double v) {
  if (std::isnan(v)) return {};
  std::ostringstream s;
  s << std::setprecision(9) << v;
  return s.str();
}

}  // namespace ctnn::detail
