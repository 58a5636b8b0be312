#pragma once
/// \file
/// Checkpoints: every named parameter and buffer of a module, in the safetensors format.
///
/// Format (https://github.com/huggingface/safetensors): an 8-byte little-endian header length
/// N, N bytes of JSON {"name": {"dtype": "F32", "shape": [...], "data_offsets": [b, e]}, ...,
/// "__metadata__": {...}} (padded with spaces to a multiple of 8), then the raw little-endian
/// data. Names are the dotted names of named_parameters() and named_buffers() ("0.kernel",
/// "1.moving_mean"), so BN moving statistics travel with the model. With an optimizer, its
/// state travels too, by parameter name: tensors "optimizer/<parameter>/<slot>" (Adam's
/// "m" and "v", SGD's "velocity", RMSprop's "ms", "mg", "momentum") and metadata
/// "optimizer" (its name), "optimizer/iterations", "optimizer/lr" and per-parameter
/// counters ("optimizer/<parameter>/t", Adam's step count). Files can be read by
/// `safetensors.numpy.load_file` or with plain NumPy (see tests/io/check_checkpoint.py).
///
/// Precision: a float32 model (nn::Module) is saved as F32, a float64 one (nn::Module64) as
/// F64, optimizer state included. Either loads into either: a tensor stored in the other
/// precision is converted (F32 -> F64 exactly; F64 -> F32 rounded to nearest), and the
/// returned LoadReport lists every converted tensor, so a model trained in float32 can be
/// checked in float64 and its float32 values come back bit-exact.
#include <string>
#include <vector>

#include "xgrad/nn/module.hpp"
#include "xgrad/optim/optimizer.hpp"

namespace xgrad::io {

/// What a load did besides copying: the tensors it converted between precisions.
struct LoadReport {
  /// The dotted names (optimizer state: "optimizer/<parameter>/<slot>") of the tensors stored
  /// in another precision than the model's, converted while loading. Empty: none.
  std::vector<std::string> converted;
  /// The file's dtype of the converted tensors ("F32" or "F64"); empty when none was.
  std::string from_dtype;
  /// The model's dtype ("F32" or "F64").
  std::string to_dtype;
  /// True when some tensor was converted.
  bool any_converted() const { return !converted.empty(); }
  /// "" when nothing was converted, else e.g. "converted 4 tensors from F32 to F64: 0.kernel,
  /// 0.bias, 1.gamma, 1.beta".
  std::string message() const;
};

/// Writes every parameter (frozen included) and buffer of `module` to `path`, atomically:
/// a temporary file in the same directory, fsync, then rename over `path`. An existing file
/// at `path` is either fully replaced or left as it was. Throws std::runtime_error naming
/// the file on any I/O error. float32 models write F32 tensors, float64 ones F64.
template <class T>
void save(const nn::BasicModule<T>& module, const std::string& path);

/// Reads `path` into `module`'s parameters and buffers, in place (handles held elsewhere,
/// e.g. by an optimizer, see the new values).
///
/// Everything is checked before the model is touched: header length, JSON syntax and
/// schema, dtype (F32 or F64), shapes, data offsets (in range, non-overlapping, covering the
/// data exactly), file size, and names (missing, unexpected or mis-shaped tensors). On any
/// problem it throws std::runtime_error naming the file and the problem, and the module is
/// left bit-identical. Tensors of the other precision are converted and listed in the
/// returned report.
template <class T>
LoadReport load(nn::BasicModule<T>& module, const std::string& path);

/// load() from the bytes of a checkpoint already in memory (received, embedded, or fed by a
/// fuzzer); the same checks and guarantees. `name` stands for the file in error messages.
template <class T>
LoadReport load_bytes(nn::BasicModule<T>& module, std::vector<unsigned char> bytes,
                      const std::string& name);

/// save() plus the optimizer's state, so that training can stop and resume exactly: moments,
/// momentum buffers, step counts, the step counter the schedules read and the fixed
/// learning rate. Throws std::invalid_argument when the optimizer holds a tensor that is not
/// a parameter of `module`, or a model name starts with "optimizer/".
/// A model-only load() of such a file loads the model and ignores the optimizer state.
template <class T>
void save(const nn::BasicModule<T>& module, optim::BasicOptimizer<T>& optimizer,
          const std::string& path);

/// load() plus the optimizer's state saved by the save() above. Refuses (std::runtime_error
/// naming the file; model and optimizer left unchanged) a file without optimizer state, of
/// another optimizer kind ("Adam" vs "SGD"), or whose state does not match by name and
/// shape. A state slot the file does not have (never allocated when saved) is reset to zeros.
/// A schedule set on the optimizer is kept and resumes at the saved step count.
template <class T>
LoadReport load(nn::BasicModule<T>& module, optim::BasicOptimizer<T>& optimizer,
                const std::string& path);
/// load(module, optimizer, path) from a file's bytes already in memory; `name` stands for the
/// file in error messages.
template <class T>
LoadReport load_bytes(nn::BasicModule<T>& module, optim::BasicOptimizer<T>& optimizer,
                      std::vector<unsigned char> bytes, const std::string& name);

}  // namespace xgrad::io
