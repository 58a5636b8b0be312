#pragma once
/// \file
/// Checks that this translation unit sees the array type xgrad was built with (see
/// xgrad/xtensor_abi.hpp): a clear compile error instead of two incompatible xt::xarray types.
#include "xgrad/xtensor_abi.hpp"

#include <type_traits>
#include <xtensor/xarray.hpp>

static_assert(std::is_same<xt::xarray<float>::allocator_type,
                           xsimd::aligned_allocator<float, 64>>::value,
              "xgrad: xt::xarray must use xsimd::aligned_allocator<T, 64>: include "
              "<xgrad/xtensor_abi.hpp> before any xtensor header, or compile with "
              "-include xgrad/xtensor_abi.hpp (find_package(xgrad) does)");
