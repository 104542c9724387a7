// The comparison program: every case on ctnn and on each peer found at build time (LibTorch,
// dlib, OpenBLAS), at 1 and 2 threads, as Google Benchmark runs with repetitions in random
// interleaving; then a table of the medians and of ctnn's speed-up over each peer, with the
// issue's targets. Options are Google Benchmark's (the defaults below come first, so any given on
// the command line win); `--benchmark_filter=mlp` runs a subset.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cases.hpp"

namespace {

// Medians in seconds per iteration, by "<case>/<peer>/threads:<n>".
class median_collector : public benchmark::ConsoleReporter {
 public:
  std::map<std::string, double> seconds;

  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& run : runs) {
      // The median of the repetitions; a single run stands for itself (--benchmark_repetitions=1).
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      const bool single = run.run_type == Run::RT_Iteration && run.repetitions <= 1;
      if (median || single)
        seconds[run.run_name.function_name] =
            run.GetAdjustedRealTime() / benchmark::GetTimeUnitMultiplier(run.time_unit);
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

struct target {
  const char* peer;
  double speedup;  // ctnn's time over the peer's at most 1 / speedup
};

struct case_row {
  const char* name;
  std::vector<target> targets;  // single thread
};

const std::vector<case_row> rows = {
    {"mlp_infer_b1", {{"libtorch", 15}, {"dlib", 8}}},
    {"mlp_infer_b64", {{"libtorch", 1.4}}},
    {"mlp_train_b32", {{"libtorch", 5}}},
    {"tiny_mlp_infer_b2", {{"dlib", 4}}},
    {"lenet_infer_b1", {{"dlib", 4}}},
    {"lenet_train_b32", {{"libtorch", 3}}},
    {"rnn_infer", {{"libtorch", 30}}},
    {"lstm_infer", {}},  // no target in the issue: LSTM and GRU beside the RNN
    {"gru_infer", {}},
    {"lstm_train_b32", {}},  // no target either: recurrent training, as char_rnn does it
    {"linear_large", {{"openblas", 0.9}}},
};
const char* const peers[] = {"libtorch", "dlib", "openblas"};

std::optional<double> median(const median_collector& c, const std::string& case_name,
                             const char* peer, int threads) {
  const auto it = c.seconds.find(compare::benchmark_name(case_name, peer, threads));
  if (it == c.seconds.end()) return std::nullopt;
  return it->second;
}

std::string cell(std::optional<double> seconds) {
  if (!seconds) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", *seconds * 1e6);
  return buf;
}

// The least time the case could take on one thread here: its FLOPs at the measured FMA peak, or
// its bytes at the measured rate of reading that many bytes, whichever is longer.
struct bound {
  double compute, memory;  // seconds
  double seconds() const { return compute > memory ? compute : memory; }
};

std::optional<bound> bound_of(const median_collector& c, const std::string& case_name) {
  const auto peak = median(c, "fma_peak", "xsimd", 1), read = median(c, "read_" + case_name, "xsimd", 1);
  for (const auto& work : compare::case_works)
    if (work.name == case_name && peak && read)
      return bound{work.flops / (compare::peak_flops(1) / *peak), *read};
  return std::nullopt;
}

std::string target_verdict(const median_collector& c, const case_row& row, const target& goal, double mine) {
  const auto theirs = median(c, row.name, goal.peer, 1);
  char buf[160];
  if (!theirs) {
    std::snprintf(buf, sizeof buf, ">= %gx %s: not measured", goal.speedup, goal.peer);
    return buf;
  }
  const double allowed = *theirs / goal.speedup;  // the slowest ctnn may be
  const auto limit = bound_of(c, row.name);
  if (mine <= allowed)
    std::snprintf(buf, sizeof buf, ">= %gx %s: met", goal.speedup, goal.peer);
  else if (limit && allowed < limit->seconds())
    std::snprintf(buf, sizeof buf, ">= %gx %s: MISSED, below this machine's bound (needs %.2f us, bound %.2f us)",
                  goal.speedup, goal.peer, allowed * 1e6, limit->seconds() * 1e6);
  else
    std::snprintf(buf, sizeof buf, ">= %gx %s: MISSED (needs %.2f us)", goal.speedup, goal.peer, allowed * 1e6);
  return buf;
}

void print_bounds(const median_collector& c) {
  std::printf("\n## ctnn against this machine's bounds, 1 thread (microseconds)\n\n"
              "compute: the case's FLOPs at the FMA peak; memory: its bytes at the rate this machine "
              "reads that many bytes; no code can beat the larger.\n\n"
              "| case | MFLOP | KiB moved | compute | memory | bound | ctnn | bound / ctnn |\n"
              "|---|---|---|---|---|---|---|---|\n");
  for (const auto& work : compare::case_works) {
    const auto limit = bound_of(c, work.name);
    const auto mine = median(c, work.name, "ctnn", 1);
    if (!limit || !mine) continue;
    std::printf("| %s | %.3f | %.1f | %.2f | %.2f | %.2f | %.2f | %.0f%% |\n", work.name, work.flops / 1e6,
                work.bytes / 1024, limit->compute * 1e6, limit->memory * 1e6, limit->seconds() * 1e6,
                *mine * 1e6, 100 * limit->seconds() / *mine);
  }
}

void print_table(const median_collector& c) {
  std::printf("\n## ctnn against its peers: medians, microseconds per iteration; speed-up = peer / ctnn\n\n");
  std::printf("| case | threads | ctnn | LibTorch | dlib | OpenBLAS | vs LibTorch | vs dlib | vs OpenBLAS | target (1 thread) |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& row : rows)
    for (int t : compare::thread_counts) {
      const auto mine = median(c, row.name, "ctnn", t);
      if (!mine) continue;
      std::string line = "| " + std::string(row.name) + " | " + std::to_string(t) + " | " + cell(mine);
      for (const char* peer : peers) line += " | " + cell(median(c, row.name, peer, t));
      for (const char* peer : peers) {
        const auto theirs = median(c, row.name, peer, t);
        char buf[32] = "-";
        if (theirs) std::snprintf(buf, sizeof buf, "%.2fx", *theirs / *mine);
        line += " | " + std::string(buf);
      }
      std::string verdict;
      for (const auto& goal : row.targets) {
        if (t != 1) break;
        verdict += (verdict.empty() ? "" : "; ") + target_verdict(c, row, goal, *mine);
      }
      std::printf("%s | %s |\n", line.c_str(), verdict.c_str());
    }

  const auto gflops = [](std::optional<double> s) { return s ? compare::linear_large_flops / *s / 1e9 : 0.0; };
  std::printf("\n## Large products and peak (GFLOP/s)\n\n| threads | FMA peak | ctnn linear_large | OpenBLAS | LibTorch | ctnn / OpenBLAS |\n|---|---|---|---|---|---|\n");
  for (int t : compare::thread_counts) {
    const auto peak_s = median(c, "fma_peak", "xsimd", t);
    if (!peak_s) continue;  // filtered out
    const double peak = compare::peak_flops(t) / *peak_s / 1e9;
    const auto mine = median(c, "linear_large", "ctnn", t), blas = median(c, "linear_large", "openblas", t);
    std::printf("| %d | %.1f | %.1f | %.1f | %.1f | %s |\n", t, peak, gflops(mine), gflops(blas),
                gflops(median(c, "linear_large", "libtorch", t)),
                mine && blas ? (std::to_string(int(100 * *blas / *mine + 0.5)) + "%").c_str() : "-");
  }
  const auto one = median(c, "linear_large", "ctnn", 1), two = median(c, "linear_large", "ctnn", 2);
  if (one && two)
    std::printf("\nctnn linear_large, 2 threads over 1: %.2fx (target >= 1.8x: %s)\n", *one / *two,
                *one / *two >= 1.8 ? "met" : "MISSED");
  print_bounds(c);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args{argv[0]};
  std::string defaults[] = {"--benchmark_repetitions=9", "--benchmark_min_time=0.05",
                            "--benchmark_enable_random_interleaving=true",
                            "--benchmark_report_aggregates_only=true"};
  for (auto& d : defaults) args.push_back(d.data());
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  int count = int(args.size());
  benchmark::Initialize(&count, args.data());

  compare::register_ctnn();
  compare::register_peak();
  compare::register_read_rates();
#if defined(CTNN_COMPARE_TORCH)
  compare::register_torch();
#endif
#if defined(CTNN_COMPARE_DLIB)
  compare::register_dlib();
#endif
#if defined(CTNN_COMPARE_OPENBLAS)
  compare::register_openblas();
#endif
  median_collector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  print_table(collector);
  benchmark::Shutdown();
}
