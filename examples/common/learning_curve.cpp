// The learning-curve SVG of the examples. Compiled once into ctnn_example_support and linked by
// each example: its string formatting took each example that included it about 2 s to compile.
#include "learning_curve.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <functional>
#include <iomanip>
#include <sstream>

namespace examples {

namespace svg {
namespace {

struct series {
  std::string label, colour;
  bool dashed;
  std::vector<double> values;  // one per epoch; NaN is left out
};

std::string number(double v) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << v;
  return s.str();
}

// One panel at (x0, y0), w x h, with axes, ticks and the series as polylines with points. The
// legend goes in the corner the curves leave empty: top right for a loss, which falls, bottom
// right for an accuracy, which rises.
void panel(std::ostringstream& out, double x0, double y0, double w, double h,
           const std::string& title, const std::vector<series>& all, bool percent) {
  double lo = INFINITY, hi = -INFINITY;
  std::size_t epochs = 0;
  for (const auto& s : all) {
    epochs = std::max(epochs, s.values.size());
    for (double v : s.values)
      if (!std::isnan(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  if (!std::isfinite(lo)) return;  // nothing to draw (no accuracy for a regression)
  if (hi - lo < 1e-9) lo -= 0.5, hi += 0.5;
  const double pad = (hi - lo) * 0.08;
  lo -= pad, hi += pad;
  const auto px = [&](std::size_t e) {  // epoch index 0.. -> x
    return x0 + (epochs > 1 ? double(e) / double(epochs - 1) : 0.5) * w;
  };
  const auto py = [&](double v) { return y0 + h - (v - lo) / (hi - lo) * h; };
  out << "<text x='" << number(x0 + w / 2) << "' y='" << number(y0 - 12)
      << "' text-anchor='middle' font-size='15'>" << title << "</text>\n";
  out << "<rect x='" << number(x0) << "' y='" << number(y0) << "' width='" << number(w)
      << "' height='" << number(h) << "' fill='none' stroke='#444'/>\n";
  for (int t = 0; t <= 4; ++t) {  // value ticks and grid lines
    const double v = lo + (hi - lo) * t / 4, y = py(v);
    out << "<line x1='" << number(x0) << "' x2='" << number(x0 + w) << "' y1='" << number(y)
        << "' y2='" << number(y) << "' stroke='#ddd'/>\n";
    std::ostringstream label;
    label << std::fixed << std::setprecision(percent ? 1 : 3) << (percent ? 100 * v : v)
          << (percent ? "%" : "");
    out << "<text x='" << number(x0 - 6) << "' y='" << number(y + 4)
        << "' text-anchor='end' font-size='11'>" << label.str() << "</text>\n";
  }
  for (std::size_t e = 0; e < epochs; ++e)  // epoch ticks
    out << "<text x='" << number(px(e)) << "' y='" << number(y0 + h + 16)
        << "' text-anchor='middle' font-size='11'>" << e + 1 << "</text>\n";
  out << "<text x='" << number(x0 + w / 2) << "' y='" << number(y0 + h + 34)
      << "' text-anchor='middle' font-size='12'>epoch</text>\n";
  double legend_y = percent ? y0 + h - 10 - 16 * double(all.size() - 1) : y0 + 14;
  for (const auto& s : all) {
    std::ostringstream points;
    bool any = false;
    for (std::size_t e = 0; e < s.values.size(); ++e)
      if (!std::isnan(s.values[e])) {
        points << number(px(e)) << ',' << number(py(s.values[e])) << ' ';
        out << "<circle cx='" << number(px(e)) << "' cy='" << number(py(s.values[e]))
            << "' r='3' fill='" << s.colour << "'/>\n";
        any = true;
      }
    if (!any) continue;
    out << "<polyline points='" << points.str() << "' fill='none' stroke='" << s.colour
        << "' stroke-width='2'" << (s.dashed ? " stroke-dasharray='6 4'" : "") << "/>\n";
    out << "<line x1='" << number(x0 + w - 120) << "' x2='" << number(x0 + w - 96) << "' y1='"
        << number(legend_y - 4) << "' y2='" << number(legend_y - 4) << "' stroke='" << s.colour
        << "' stroke-width='2'" << (s.dashed ? " stroke-dasharray='6 4'" : "") << "/>\n";
    out << "<text x='" << number(x0 + w - 90) << "' y='" << number(legend_y) << "' font-size='12'>"
        << s.label << "</text>\n";
    legend_y += 16;
  }
}

}  // namespace
}  // namespace svg

bool write_learning_curve(const std::filesystem::path& path, const std::string& title,
                          const std::vector<ctnn::epoch_record>& epochs) {
  const auto column = [&](auto field) {
    std::vector<double> v;
    for (const auto& r : epochs) v.push_back(field(r));
    return v;
  };
  using R = ctnn::epoch_record;
  const std::vector<svg::series> losses{
      {"train", "#1f77b4", false, column([](const R& r) { return r.train_loss; })},
      {"validation", "#d62728", true, column([](const R& r) { return r.val_loss; })}};
  const std::vector<svg::series> accuracies{
      {"train", "#1f77b4", false, column([](const R& r) { return r.train_accuracy; })},
      {"validation", "#d62728", true, column([](const R& r) { return r.val_accuracy; })}};
  std::ostringstream out;
  out << "<svg xmlns='http://www.w3.org/2000/svg' width='900' height='380' "
         "font-family='sans-serif'>\n<rect width='900' height='380' fill='white'/>\n"
      << "<text x='450' y='22' text-anchor='middle' font-size='17'>" << title << "</text>\n";
  svg::panel(out, 70, 60, 340, 260, "loss", losses, false);
  svg::panel(out, 530, 60, 340, 260, "accuracy", accuracies, true);
  out << "</svg>\n";
  std::ofstream file(path);
  if (!file) return false;
  file << out.str();
  return bool(file);
}

}  // namespace examples
