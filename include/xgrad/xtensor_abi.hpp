#pragma once
/// \file
/// Fixes the array type at xgrad's interface, whatever -march the library or a program is
/// compiled with: xt::xarray's allocator is xsimd's aligned allocator at 64 bytes. Left to
/// itself, xtensor picks the alignment of the compiler's SIMD width (16, 32 or 64 bytes), so
/// code compiled with another -march than the library would pass arrays of another type.
///
/// Must come before any xtensor header: the xgrad package force-includes it
/// (`-include xgrad/xtensor_abi.hpp`, set by find_package(xgrad)); xgrad/tensor.hpp includes
/// it too and checks the result.
/// \cond ABI_MACROS
#ifndef XTENSOR_DEFAULT_ALLOCATOR
#define XTENSOR_DEFAULT_ALLOCATOR(T) xsimd::aligned_allocator<T, 64>
#endif
#ifndef XTENSOR_DEFAULT_ALIGNMENT
#define XTENSOR_DEFAULT_ALIGNMENT 64
#endif
/// \endcond
