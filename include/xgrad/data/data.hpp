#pragma once
/// \file
/// Everything in xgrad::data: datasets from arrays, CSV and NumPy files, idx files and
/// MNIST / Fashion-MNIST, image folders, batching, augmentation, prefetching, splits,
/// standardisation and metrics.
#include "xgrad/data/batch_order.hpp"
#include "xgrad/data/batches.hpp"
#include "xgrad/data/idx.hpp"
#include "xgrad/data/mnist.hpp"
#include "xgrad/data/tensor_batches.hpp"
#include "xgrad/data/tensor_dataset.hpp"
#include "xgrad/data/csv.hpp"
#include "xgrad/data/evaluate.hpp"
#include "xgrad/data/metrics.hpp"
#include "xgrad/data/npy.hpp"
#include "xgrad/data/split.hpp"
#include "xgrad/data/image_folder.hpp"
#include "xgrad/data/augment.hpp"
#include "xgrad/data/prefetcher.hpp"
