// Definitions of idx.hpp: reading IDX files through zlib.
// Included by its header (header-only) or by <ctnn/src.hpp> (CTNN_SEPARATE_COMPILATION).
#pragma once

#include <zlib.h>

#include <memory>

#include "ctnn/data/idx.hpp"

namespace ctnn::data {

CTNN_RUN_ONCE idx_array read_idx(const std::filesystem::path& path) {
  const std::string where = "ctnn::data::read_idx: " + path.string() + ": ";
  if (!std::filesystem::exists(path)) throw io_error(where + "no such file");
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
  if (!file) throw io_error(where + "cannot open the file");
  const auto read = [&](void* into, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
      const int got = gzread(file.get(), static_cast<char*>(into) + done, unsigned(n - done));
      if (got < 0) {
        int code = 0;
        throw io_error(where + "damaged gzip data (" + gzerror(file.get(), &code) + ")");
      }
      if (got == 0) break;
      done += std::size_t(got);
    }
    return done;
  };
  std::array<std::uint8_t, 4> magic{};
  if (read(magic.data(), 4) != 4)
    throw io_error(where + "shorter than the 4-byte IDX magic number");
  if (magic[0] != 0 || magic[1] != 0 || magic[3] < 1 || magic[3] > 4)
    throw io_error(where + "not an IDX file: the magic number is " + std::to_string(magic[0]) +
                   " " + std::to_string(magic[1]) + " " + std::to_string(magic[2]) + " " +
                   std::to_string(magic[3]) + ", expected 0 0 8 <rank 1..4>");
  if (magic[2] != 0x08)
    throw io_error(where + "element type " + std::to_string(magic[2]) +
                   " is not unsigned bytes (8), the type of MNIST images and labels");
  idx_array out;
  std::size_t total = 1;
  for (int d = 0; d < magic[3]; ++d) {
    std::array<std::uint8_t, 4> be{};
    if (read(be.data(), 4) != 4) throw io_error(where + "truncated inside the header");
    const std::size_t extent = (std::size_t(be[0]) << 24) | (std::size_t(be[1]) << 16) |
                               (std::size_t(be[2]) << 8) | std::size_t(be[3]);
    if (extent == 0 || extent > (1u << 28))
      throw io_error(where + "extent " + std::to_string(d) + " is " + std::to_string(extent) +
                     ", not a plausible size");
    out.dims.push_back(extent);
    total *= extent;
  }
  out.values.resize(total);
  const std::size_t got = read(out.values.data(), total);
  if (got != total)
    throw io_error(where + "truncated: the header promises " + std::to_string(total) +
                   " bytes of data, the file has " + std::to_string(got));
  std::uint8_t extra;
  if (read(&extra, 1) != 0)
    throw io_error(where + "longer than its header says (" + std::to_string(total) +
                   " bytes of data): not the file it claims to be");
  return out;
}

}  // namespace ctnn::data
