#pragma once
/// \file
/// Umbrella header for the optimizers, learning-rate schedules and gradient clipping.
#include "xgrad/optim/adam.hpp"
#include "xgrad/optim/optimizer.hpp"
#include "xgrad/optim/rmsprop.hpp"
#include "xgrad/optim/schedule.hpp"
#include "xgrad/optim/sgd.hpp"
