// A learning-curve picture as SVG, written by the examples (the library needs no plotting
// dependency): loss per epoch on the left panel, accuracy per epoch on the right, training solid
// and validation dashed. Any browser shows it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <ctnn/train/callbacks.hpp>

namespace examples {

// Writes the SVG of a fit() history; returns false (and writes nothing) if the file cannot be
// opened. Defined in learning_curve.cpp (the ctnn_example_support library).
bool write_learning_curve(const std::filesystem::path& path, const std::string& title,
                          const std::vector<ctnn::epoch_record>& epochs);

}  // namespace examples
