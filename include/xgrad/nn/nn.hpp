#pragma once
/// \file
/// Umbrella header for the layers; it brings the optimizers (xgrad/optim/optim.hpp) and
/// checkpoints along, since a script that builds a model trains and saves it.
#include "xgrad/io/checkpoint.hpp"
#include "xgrad/nn/activations.hpp"
#include "xgrad/nn/batch_norm.hpp"
#include "xgrad/nn/conv2d.hpp"
#include "xgrad/nn/copy_state.hpp"
#include "xgrad/nn/dense.hpp"
#include "xgrad/nn/dropout.hpp"
#include "xgrad/nn/flatten.hpp"
#include "xgrad/nn/gradcheck.hpp"
#include "xgrad/nn/init.hpp"
#include "xgrad/nn/layer_normalization.hpp"
#include "xgrad/nn/module.hpp"
#include "xgrad/nn/pooling.hpp"
#include "xgrad/nn/sequential.hpp"
#include "xgrad/optim/optim.hpp"
