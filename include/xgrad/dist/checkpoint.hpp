#pragma once
/// \file
/// Checkpoints in a data-parallel job: every rank holds the same model, so one writes it.
///
/// \code
///   dist::save_on_rank0(world, *model, "model.safetensors");  // every rank calls it
///   io::load(*model, "model.safetensors");                     // every rank loads
/// \endcode
#include <string>

#include "xgrad/dist/session.hpp"
#include "xgrad/nn/module.hpp"

namespace xgrad::dist {

/// Rank 0 writes io::save(module, path); the others wait until the file is complete, so a
/// load right after it sees the whole file. If rank 0 fails to write, every rank throws
/// std::runtime_error naming the file.
void save_on_rank0(const Communicator& comm, const nn::Module& module, const std::string& path);

}  // namespace xgrad::dist
