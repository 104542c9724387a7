// Progress of one epoch on a stream. On a terminal a bar redrawn in place,
//   epoch 2/5 [=========>          ] 912/1875  412.3 batch/s  loss 0.1432  ETA 0:02
// at most ten times a second; elsewhere (a log file, CI) plain lines, one per tenth of the epoch,
// so a log holds no carriage returns.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <ostream>
#include <sstream>
#include <string>

#include <unistd.h>

#include "ctnn/config.hpp"

namespace ctnn {

enum class progress_mode { automatic, bar, lines, none };

// Whether `out` is the standard output or error and that is a terminal.
inline bool is_terminal(const std::ostream& out) {
  if (out.rdbuf() == std::cout.rdbuf()) return ::isatty(STDOUT_FILENO) != 0;
  if (out.rdbuf() == std::cerr.rdbuf()) return ::isatty(STDERR_FILENO) != 0;
  return false;
}

class progress_bar {
 public:
  using clock = std::chrono::steady_clock;

  progress_bar(std::ostream& out, progress_mode mode, std::size_t epoch, std::size_t epochs,
               std::size_t batches)
      : out_(&out),
        mode_(mode == progress_mode::automatic
                  ? (is_terminal(out) ? progress_mode::bar : progress_mode::lines)
                  : mode),
        epoch_(epoch),
        epochs_(epochs),
        batches_(batches),
        start_(clock::now()),
        last_(start_) {}

  // After batch `done` (1-based) with the running mean loss.
  void update(std::size_t done, double mean_loss) {
    if (mode_ == progress_mode::none) return;
    const auto now = clock::now();
    if (mode_ == progress_mode::bar) {
      if (done < batches_ && now - last_ < std::chrono::milliseconds(100)) return;
      last_ = now;
      *out_ << '\r' << line(done, mean_loss, true) << "\x1b[K" << std::flush;
      if (done == batches_) *out_ << '\n';
    } else {
      const std::size_t tenth = batches_ >= 10 ? batches_ / 10 : 1;
      if (done % tenth != 0 && done != batches_) return;
      *out_ << line(done, mean_loss, false) << '\n' << std::flush;
    }
  }

  double seconds() const { return std::chrono::duration<double>(clock::now() - start_).count(); }

 private:
  CTNN_RUN_ONCE std::string line(std::size_t done, double mean_loss, bool bar) const;
  CTNN_RUN_ONCE static std::string clock_time(double seconds);

  std::ostream* out_;
  progress_mode mode_;
  std::size_t epoch_, epochs_, batches_;
  clock::time_point start_, last_;
};

}  // namespace ctnn

#if !defined(CTNN_SEPARATE_COMPILATION)
#include "ctnn/train/progress.ipp"
#endif
