#include "kernels/conv_direct.hpp"

#include <array>

#include "kernels/conv_direct_table.hpp"

namespace xgrad::kernels {

template <class T>
const ConvDirectTable<T>& conv_direct_kernels(Isa isa) {
#if defined(XGRAD_X86_ISAS)
  static const std::array<const ConvDirectTable<T>*, kIsaCount> tables{
      &baseline::conv_direct_table<T>(), &avx2::conv_direct_table<T>(),
      &avx512::conv_direct_table<T>()};
#else
  static const std::array<const ConvDirectTable<T>*, kIsaCount> tables{
      &baseline::conv_direct_table<T>(), &baseline::conv_direct_table<T>(),
      &baseline::conv_direct_table<T>()};
#endif
  return *tables[std::size_t(isa)];
}

namespace {
template <class T>
const ConvDirectTable<T>& active() {
  static const ConvDirectTable<T>& table = conv_direct_kernels<T>(active_isa());
  return table;
}
}  // namespace

template <class T>
void direct_forward(const ConvGeometry& g, const T* in, const T* filter, T* out,
                    std::size_t n_begin, std::size_t n_end) {
  active<T>().forward(g, in, filter, out, n_begin, n_end);
}

template <class T>
void direct_backward_input(const ConvGeometry& g, const T* filter, const T* grad_out, T* grad_in,
                           std::size_t n_begin, std::size_t n_end) {
  active<T>().backward_input(g, filter, grad_out, grad_in, n_begin, n_end);
}

template <class T>
void direct_backward_filter(const ConvGeometry& g, const T* in, const T* grad_out, T* dw,
                            std::size_t n_begin, std::size_t n_end) {
  active<T>().backward_filter(g, in, grad_out, dw, n_begin, n_end);
}

#define XGRAD_DIRECT_INSTANTIATE(T)                                                             \
  template const ConvDirectTable<T>& conv_direct_kernels<T>(Isa);                               \
  template void direct_forward<T>(const ConvGeometry&, const T*, const T*, T*, std::size_t,     \
                                  std::size_t);                                                 \
  template void direct_backward_input<T>(const ConvGeometry&, const T*, const T*, T*,           \
                                         std::size_t, std::size_t);                             \
  template void direct_backward_filter<T>(const ConvGeometry&, const T*, const T*, T*,          \
                                          std::size_t, std::size_t);
XGRAD_DIRECT_INSTANTIATE(float)
XGRAD_DIRECT_INSTANTIATE(double)
#undef XGRAD_DIRECT_INSTANTIATE

}  // namespace xgrad::kernels
