// Definitions of progress.hpp: the text of a progress line.
// Included by its header (header-only) or by <ctnn/src.hpp> (CTNN_SEPARATE_COMPILATION).
#pragma once

#include <iomanip>
#include <sstream>

#include "ctnn/train/progress.hpp"

namespace ctnn {

CTNN_RUN_ONCE std::string progress_bar::line(std::size_t done, double mean_loss, bool bar) const {
  const double elapsed = seconds();
  const double rate = elapsed > 0 ? double(done) / elapsed : 0.0;
  const double eta = rate > 0 ? double(batches_ - done) / rate : 0.0;
  std::ostringstream s;
  s << "epoch " << epoch_ << '/' << epochs_ << ' ';
  if (bar) {
    constexpr std::size_t width = 20;
    const std::size_t filled = batches_ ? done * width / batches_ : width;
    s << '[' << std::string(filled, '=') << (filled < width ? ">" : "")
      << std::string(filled < width ? width - filled - 1 : 0, ' ') << "] ";
  }
  s << done << '/' << batches_ << std::fixed << std::setprecision(1) << "  " << rate << " batch/s"
    << std::setprecision(4) << "  loss " << mean_loss << "  "
    << (done == batches_ ? "took " + clock_time(elapsed) : "ETA " + clock_time(eta));
  return s.str();
}

CTNN_RUN_ONCE std::string progress_bar::clock_time(double seconds) {
  const long s = long(seconds + 0.5);
  std::ostringstream t;
  if (s >= 3600)
    t << s / 3600 << ':' << std::setw(2) << std::setfill('0') << (s / 60) % 60;
  else
    t << s / 60;
  t << ':' << std::setw(2) << std::setfill('0') << s % 60;
  return t.str();
}

}  // namespace ctnn
