#pragma once
/// \file
/// Everything in xgrad::data: idx files, MNIST / Fashion-MNIST loading and batching.
#include "xgrad/data/batches.hpp"
#include "xgrad/data/idx.hpp"
#include "xgrad/data/mnist.hpp"
