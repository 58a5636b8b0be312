#pragma once
/// \file
/// NumPy `.npy` and `.npz` files: arrays saved by `np.save` / `np.savez` /
/// `np.savez_compressed` load without conversion, and arrays or datasets save back.
///
/// \code
///   auto x = data::load_npy_float("x.npy");                  // any float or int dtype
///   auto y = data::load_npy_int("y.npy");                    // integer dtypes only
///   auto train = data::load_npz_dataset("train.npz", "x", "y");   // np.savez(x=..., y=...)
///   data::save_npy("x_out.npy", train.features);
/// \endcode
///
/// Supported: format versions 1.0-3.0, C order, little-endian (or single-byte) dtypes
/// bool, int8/16/32/64, uint8/16/32/64, float32/64. `.npz` entries may be stored or deflated.
/// Everything else (Fortran order, big-endian, object or string dtypes, a truncated file or
/// entry, a bad header, trailing bytes) is a std::runtime_error naming the file (and the
/// entry) and what is wrong. Nothing is returned unless the whole array was read.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <xtensor/xarray.hpp>

#include "xgrad/data/tensor_dataset.hpp"

namespace xgrad::data {

/// One decoded array: its NumPy dtype string (e.g. "<f4") and shape, and the raw data bytes.
struct NpyArray {
  std::string dtype;               ///< NumPy dtype string, e.g. "<f4", "|u1"
  std::vector<std::size_t> shape;  ///< the array's shape (empty for a 0-d array)
  std::vector<char> bytes;         ///< the elements, C order, as stored in the file

  bool is_float() const;    ///< float32 or float64
  bool is_integer() const;  ///< bool, signed or unsigned integers
  std::size_t size() const; ///< number of elements
};

/// Parses `.npy` bytes; `name` stands for the file in error messages.
NpyArray parse_npy(const char* data, std::size_t size, const std::string& name);
/// Reads and parses a `.npy` file.
NpyArray read_npy(const std::string& path);
/// Every entry of a `.npz` file, by array name ("x" for the entry "x.npy").
std::map<std::string, NpyArray> read_npz(const std::string& path);

/// The array converted to float32 (any supported dtype; float64 is rounded).
xt::xarray<float> to_float(const NpyArray& a, const std::string& name);
/// The array converted to int64; float dtypes are refused ("wrong dtype").
xt::xarray<std::int64_t> to_int64(const NpyArray& a, const std::string& name);

/// A `.npy` file of any supported dtype as float32 (float64 is rounded).
xt::xarray<float> load_npy_float(const std::string& path);
/// A `.npy` file of a bool or integer dtype as int64; float dtypes are refused.
xt::xarray<std::int64_t> load_npy_int(const std::string& path);

/// A dataset from one `.npz`: features from entry `features_key`; targets from
/// `targets_key` (empty: none). Integer targets become class ids, float ones regression
/// targets. Throws naming the file and the missing entry or the mismatch.
TensorDataset load_npz_dataset(const std::string& path, const std::string& features_key = "x",
                               const std::string& targets_key = "y");

///@{
/// Writes a C-order little-endian `.npy` (format 1.0), readable by np.load.
void save_npy(const std::string& path, const xt::xarray<float>& a);
void save_npy(const std::string& path, const xt::xarray<std::int64_t>& a);
///@}

/// Writes `data` as an uncompressed `.npz` with entries `x` (features) and, when present,
/// `y` (class ids as int64 or targets as float32); np.load and load_npz_dataset read it back.
void save_npz(const std::string& path, const TensorDataset& data);

}  // namespace xgrad::data
