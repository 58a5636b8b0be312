#pragma once
// Private: the library's tuning constants and every environment variable it reads, in one
// place. The constants set how work is split over threads and how idle threads behave; the
// user-facing settings are in xgrad/threads.hpp and xgrad/runtime.hpp.
#include <chrono>
#include <cstddef>

namespace xgrad::config {

// Grain sizes: the work per thread below which waking a second thread costs more than it saves.

/// Parameters per thread in an optimizer step (SGD, Adam, RMSProp).
constexpr std::size_t kOptimizerGrain = 16384;
/// Elements per thread of cheap elementwise ops (compare, multiply).
constexpr std::size_t kElementwiseGrain = 32768;
/// Elements per thread of ops with an exp/tanh per element.
constexpr std::size_t kTranscendentalGrain = 8192;
/// Elements per thread a pooling pass reads through its windows (kernels/pooling.cpp).
constexpr double kPoolWorkPerThread = 32768;
/// Elements per thread of dropout's masks.
constexpr std::size_t kDropoutGrain = 32768;
/// Elements per thread of the row-wise kernels (kernels/row_blocks.hpp).
constexpr double kMinRowElementsPerThread = 16384;
/// Flops per thread of a matrix product (about 10 us of work).
constexpr double kMinGemmFlopsPerThread = 5e5;
/// Additions of partial products per thread below which summing them in parallel does not pay.
constexpr double kMinGemmAddsPerThread = 32768;
/// Products below this many flops (about 40 us on one core) gain little from being split
/// (60x100x100 with B transposed: 13.8 us on one thread, 14.2 us split over two), so a pair of
/// them runs side by side instead.
constexpr double kMaxPairGemmFlops = 4e6;
/// Flops per thread of a convolution (~5 us).
constexpr double kMinConvFlopsPerThread = 5e5;
/// The most oneDNN convolution plans (primitives and reorders for one shape and direction) kept
/// at once; the least recently used goes first. A network has a few dozen; the bound is for a
/// program whose shapes keep changing (variable image sizes, say), whose cache would otherwise
/// grow without end.
constexpr std::size_t kMaxDnnlConvPlans = 256;

// Thread policy (kernels/parallel.hpp, kernels/thread_pool.hpp).

/// The most parts one job may have; also the most threads set_num_threads accepts.
constexpr int kMaxParts = 1024;
/// Parts per thread a job is cut into, so that threads that run take the parts of a thread
/// whose core another process has taken.
constexpr int kPartsPerThread = 2;
/// How long an idle worker spins (burning its core) before it sleeps.
constexpr long kSpinMicroseconds = 2000;
/// A worker that gets less than kSharedCoreFairShare of its core's time over a window of
/// kSharedCoreWindow counts its core as shared for kSharedCoreFor: it then spins only
/// kSharedCoreSpin, and sleeps kPoliteSleep before taking parts again.
constexpr std::chrono::milliseconds kSharedCoreWindow{50};
constexpr std::chrono::milliseconds kSharedCoreFor{200};
constexpr double kSharedCoreFairShare = 0.65;
constexpr std::chrono::microseconds kSharedCoreSpin{50};
constexpr std::chrono::milliseconds kPoliteSleep{100};

// Environment variables, each read where the setting is first used. A variable that is unset
// (or empty, for the strings) leaves the built-in default.

/// XGRAD_NUM_THREADS, else OMP_NUM_THREADS: the threads asked for; 0 when neither is a
/// positive integer.
int env_num_threads();
/// XGRAD_MANAGE_OPENBLAS_THREADS: 0 stops xgrad setting OpenBLAS to one thread (default on).
bool env_manage_openblas_threads();
/// XGRAD_ISA=baseline|avx2|avx512: caps the instruction set of the kernels (kernels/simd_isa).
const char* env_isa_cap();
/// XGRAD_CONV_BLOCK_BYTES, XGRAD_CONV_DW_T, XGRAD_CONV_DIRECT: the convolution tuning
/// (kernels::ConvTuning documents each).
const char* env_conv_block_bytes();
const char* env_conv_dw_transposed();
const char* env_conv_direct();
/// XGRAD_CONV_DNNL=always|never|auto: oneDNN for float32 convolutions (kernels/conv.cpp).
const char* env_conv_dnnl();
/// XGRAD_GEMM_DNNL=0: matrix products on OpenBLAS only (kernels/gemm.cpp).
const char* env_gemm_dnnl();
/// XGRAD_DNNL_WEIGHTS=plain|any: oneDNN's weights layout (kernels/dnnl_conv.cpp).
const char* env_dnnl_weights();
/// XGRAD_WORKSPACE_MB: what each thread keeps of its scratch buffers between calls
/// (kernels/workspace.hpp).
const char* env_workspace_mb();
/// XGRAD_MNIST_DIR, XGRAD_FASHION_MNIST_DIR: where data::find_dataset_dir looks first.
const char* env_mnist_dir();
const char* env_fashion_mnist_dir();

}  // namespace xgrad::config
