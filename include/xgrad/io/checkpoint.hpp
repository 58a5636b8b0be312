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
#include <string>
#include <vector>

#include "xgrad/nn/module.hpp"
#include "xgrad/optim/optimizer.hpp"

namespace xgrad::io {

/// Writes every parameter (frozen included) and buffer of `module` to `path`, atomically:
/// a temporary file in the same directory, fsync, then rename over `path`. An existing file
/// at `path` is either fully replaced or left as it was. Throws std::runtime_error naming
/// the file on any I/O error.
void save(const nn::Module& module, const std::string& path);

/// Reads `path` into `module`'s parameters and buffers, in place (handles held elsewhere,
/// e.g. by an optimizer, see the new values).
///
/// Everything is checked before the model is touched: header length, JSON syntax and
/// schema, dtype (only F32), shapes, data offsets (in range, non-overlapping, covering the
/// data exactly), file size, and names (missing, unexpected or mis-shaped tensors). On any
/// problem it throws std::runtime_error naming the file and the problem, and the module is
/// left bit-identical.
void load(nn::Module& module, const std::string& path);

/// load() from the bytes of a checkpoint already in memory (received, embedded, or fed by a
/// fuzzer); the same checks and guarantees. `name` stands for the file in error messages.
void load_bytes(nn::Module& module, std::vector<unsigned char> bytes, const std::string& name);

/// save() plus the optimizer's state, so that training can stop and resume exactly: moments,
/// momentum buffers, step counts, the step counter the schedules read and the fixed
/// learning rate. Throws std::invalid_argument when the optimizer holds a tensor that is not
/// a parameter of `module`, or a model name starts with "optimizer/".
/// A model-only load() of such a file loads the model and ignores the optimizer state.
void save(const nn::Module& module, optim::Optimizer& optimizer, const std::string& path);

/// load() plus the optimizer's state saved by the save() above. Refuses (std::runtime_error
/// naming the file; model and optimizer left unchanged) a file without optimizer state, of
/// another optimizer kind ("Adam" vs "SGD"), or whose state does not match by name and
/// shape. A state slot the file does not have (never allocated when saved) is reset to zeros.
/// A schedule set on the optimizer is kept and resumes at the saved step count.
void load(nn::Module& module, optim::Optimizer& optimizer, const std::string& path);
/// load(module, optimizer, path) from a file's bytes already in memory; `name` stands for the
/// file in error messages.
void load_bytes(nn::Module& module, optim::Optimizer& optimizer, std::vector<unsigned char> bytes,
                const std::string& name);

}  // namespace xgrad::io
