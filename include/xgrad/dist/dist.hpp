#pragma once
/// \file
/// xgrad::dist: data-parallel training over MPI (link xgrad::dist).
#include "xgrad/dist/checkpoint.hpp"
#include "xgrad/dist/collectives.hpp"
#include "xgrad/dist/data_parallel.hpp"
#include "xgrad/dist/session.hpp"
#include "xgrad/dist/sync_batch_norm.hpp"
