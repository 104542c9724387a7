// Definitions of safetensors.hpp: the RapidJSON parser and writer, the file reading and writing.
// Included by its header (header-only) or by <ctnn/src.hpp> (CTNN_SEPARATE_COMPILATION).
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <system_error>

#include "ctnn/io/safetensors.hpp"

namespace ctnn::safetensors {

CTNN_RUN_ONCE std::vector<double> file::values(const std::string& name) const {
  const tensor& t = tensors.at(name);
  const unsigned char* p = data.data() + t.begin;
  std::vector<double> out(t.elements());
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = element(t.dtype, p, i);
  return out;
}

CTNN_RUN_ONCE double file::half(std::uint16_t h) {
  const int exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  const double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  if (exponent == 31) return mantissa ? NAN : sign * INFINITY;
  return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

CTNN_RUN_ONCE double file::element(const std::string& dtype, const unsigned char* p,
                                   std::size_t i) {
  if (dtype == "F32") return load<float>(p, i);
  if (dtype == "F64") return load<double>(p, i);
  if (dtype == "F16") return half(load<std::uint16_t>(p, i));
  if (dtype == "BF16") return std::bit_cast<float>(std::uint32_t(load<std::uint16_t>(p, i)) << 16);
  if (dtype == "I64") return double(load<std::int64_t>(p, i));
  if (dtype == "I32") return load<std::int32_t>(p, i);
  if (dtype == "I16") return load<std::int16_t>(p, i);
  if (dtype == "I8") return load<std::int8_t>(p, i);
  if (dtype == "U8" || dtype == "BOOL") return load<std::uint8_t>(p, i);
  if (dtype == "U16") return load<std::uint16_t>(p, i);
  if (dtype == "U32") return load<std::uint32_t>(p, i);
  return double(load<std::uint64_t>(p, i));
}

CTNN_RUN_ONCE std::size_t dtype_size(const std::string& dtype) {
  static const std::map<std::string, std::size_t> sizes{
      {"F64", 8}, {"F32", 4}, {"F16", 2},  {"BF16", 2}, {"I64", 8}, {"I32", 4}, {"I16", 2},
      {"I8", 1},  {"U8", 1},  {"BOOL", 1}, {"U16", 2},  {"U32", 4}, {"U64", 8}};
  const auto it = sizes.find(dtype);
  return it == sizes.end() ? 0 : it->second;
}

CTNN_RUN_ONCE file read(const std::filesystem::path& path) {
  const std::string where = "ctnn::safetensors::read: " + path.string() + ": ";
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error(where + "cannot open the file (does it exist, is it readable?)");
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  if (bytes.size() < 8)
    throw io_error(where + "only " + std::to_string(bytes.size()) +
                   " bytes; a safetensors file starts with an 8-byte header length");
  std::uint64_t header_size;
  std::memcpy(&header_size, bytes.data(), 8);
  if (header_size > bytes.size() - 8 || header_size < 2)
    throw io_error(where + "the header length " + std::to_string(header_size) +
                   " does not fit a file of " + std::to_string(bytes.size()) +
                   " bytes: not a safetensors file, or truncated");
  rapidjson::Document header;
  header.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(
      reinterpret_cast<const char*>(bytes.data()) + 8, std::size_t(header_size));
  if (header.HasParseError()) {
    std::string reason = rapidjson::GetParseError_En(header.GetParseError());
    if (!reason.empty() && reason.back() == '.') reason.pop_back();
    throw io_error(where + "the header is not valid JSON (" + reason + ", at byte " +
                   std::to_string(8 + header.GetErrorOffset()) +
                   " of the file): not a safetensors file, or damaged");
  }
  if (!header.IsObject()) throw io_error(where + "the header is not a JSON object");

  const auto text = [](const rapidjson::Value& v) {
    return std::string(v.GetString(), v.GetStringLength());
  };
  const auto unsigned_integers = [](const rapidjson::Value& v) {
    if (!v.IsArray()) return false;
    for (const auto& x : v.GetArray())
      if (!x.IsUint64()) return false;
    return true;
  };
  file f;
  f.path = path.string();
  f.data.assign(bytes.begin() + 8 + long(header_size), bytes.end());
  bool metadata_seen = false;
  for (const auto& member : header.GetObject()) {
    const std::string name = text(member.name);
    const rapidjson::Value& entry = member.value;
    if (name == "__metadata__") {
      if (metadata_seen) throw io_error(where + "__metadata__ appears twice");
      metadata_seen = true;
      if (!entry.IsObject()) throw io_error(where + "__metadata__ is not an object");
      for (const auto& item : entry.GetObject()) {
        const std::string key = text(item.name);
        if (!item.value.IsString())
          throw io_error(where + "__metadata__." + key + " is not a string");
        if (!f.metadata.emplace(key, text(item.value)).second)
          throw io_error(where + "__metadata__." + key + " appears twice");
      }
      continue;
    }
    const std::string what = where + "tensor \"" + name + "\": ";
    if (!entry.IsObject() || !entry.HasMember("dtype") || !entry.HasMember("shape") ||
        !entry.HasMember("data_offsets") || !entry["dtype"].IsString() ||
        !entry["shape"].IsArray() || !entry["data_offsets"].IsArray() ||
        entry["data_offsets"].Size() != 2)
      throw io_error(what + "needs \"dtype\", \"shape\" and two \"data_offsets\"");
    tensor t;
    t.dtype = text(entry["dtype"]);
    const std::size_t size = dtype_size(t.dtype);
    if (size == 0) throw io_error(what + "unknown dtype \"" + t.dtype + "\"");
    if (!unsigned_integers(entry["shape"])) throw io_error(what + "the shape holds a non-integer");
    for (const auto& d : entry["shape"].GetArray()) t.shape.push_back(std::size_t(d.GetUint64()));
    std::size_t bytes_needed = size;
    for (std::size_t d : t.shape)
      if (__builtin_mul_overflow(bytes_needed, d, &bytes_needed))
        throw io_error(what + "the shape's size does not fit in 64 bits");
    if (!unsigned_integers(entry["data_offsets"]))
      throw io_error(what + "data_offsets are not integers");
    t.begin = std::size_t(entry["data_offsets"][0].GetUint64());
    t.end = std::size_t(entry["data_offsets"][1].GetUint64());
    if (t.begin > t.end || t.end > f.data.size())
      throw io_error(what + "its bytes [" + std::to_string(t.begin) + ", " + std::to_string(t.end) +
                     ") lie outside the " + std::to_string(f.data.size()) +
                     " data bytes of the file: the file is truncated or damaged");
    if (t.end - t.begin != bytes_needed)
      throw io_error(what + "holds " + std::to_string(t.end - t.begin) + " bytes but " + t.dtype +
                     " with this shape needs " + std::to_string(bytes_needed));
    if (!f.tensors.emplace(name, std::move(t)).second)
      throw io_error(what + "appears twice in the header");
  }
  return f;
}

CTNN_RUN_ONCE void write(const std::filesystem::path& path, const std::vector<entry>& entries,
                         const std::map<std::string, std::string>& metadata) {
  {
    std::vector<std::string> names;
    for (const auto& e : entries) names.push_back(e.name);
    std::sort(names.begin(), names.end());
    const auto twice = std::adjacent_find(names.begin(), names.end());
    if (twice != names.end() || std::binary_search(names.begin(), names.end(), "__metadata__"))
      throw io_error("ctnn::safetensors::write: " + path.string() + ": the tensor name \"" +
                     (twice != names.end() ? *twice : std::string("__metadata__")) + "\" is " +
                     (twice != names.end() ? "used twice" : "reserved") + "; nothing was written");
  }
  rapidjson::StringBuffer json;
  rapidjson::Writer<rapidjson::StringBuffer> writer(json);
  const auto key = [&](const std::string& k) {
    writer.Key(k.data(), rapidjson::SizeType(k.size()));
  };
  const auto string = [&](const std::string& v) {
    writer.String(v.data(), rapidjson::SizeType(v.size()));
  };
  writer.StartObject();
  if (!metadata.empty()) {
    key("__metadata__");
    writer.StartObject();
    for (const auto& [k, v] : metadata) {
      key(k);
      string(v);
    }
    writer.EndObject();
  }
  std::size_t offset = 0;
  for (const auto& e : entries) {
    key(e.name);
    writer.StartObject();
    key("dtype");
    string(e.dtype);
    key("shape");
    writer.StartArray();
    for (std::size_t d : e.shape) writer.Uint64(d);
    writer.EndArray();
    key("data_offsets");
    writer.StartArray();
    writer.Uint64(offset);
    writer.Uint64(offset + e.bytes.size());
    writer.EndArray();
    writer.EndObject();
    offset += e.bytes.size();
  }
  writer.EndObject();
  std::string text(json.GetString(), json.GetSize());
  text.append((8 - (text.size() % 8)) % 8, ' ');  // the data starts 8-byte aligned
  const std::uint64_t header_size = text.size();

  const std::filesystem::path temporary = path.string() + ".tmp";
  const std::string where = "ctnn::safetensors::write: " + path.string() + ": ";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw io_error(where + "cannot create " + temporary.string());
    out.write(reinterpret_cast<const char*>(&header_size), 8);
    out.write(text.data(), std::streamsize(text.size()));
    for (const auto& e : entries)
      out.write(reinterpret_cast<const char*>(e.bytes.data()), std::streamsize(e.bytes.size()));
    out.flush();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      throw io_error(where + "writing failed (disk full?); the previous file is unchanged");
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    std::filesystem::remove(temporary, error);
    throw io_error(where + "cannot replace the file: " + error.message());
  }
}

}  // namespace ctnn::safetensors
