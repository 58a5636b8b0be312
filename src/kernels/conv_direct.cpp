#include "kernels/conv_direct.hpp"

#include "kernels/conv_direct_table.hpp"

namespace xgrad::kernels {

template <class T>
void direct_forward(const ConvGeometry& g, const T* in, const T* filter, T* out,
                    std::size_t n_begin, std::size_t n_end) {
  active<ConvDirectTable<T>>().forward(g, in, filter, out, n_begin, n_end);
}

template <class T>
void direct_backward_input(const ConvGeometry& g, const T* filter, const T* grad_out, T* grad_in,
                           std::size_t n_begin, std::size_t n_end) {
  active<ConvDirectTable<T>>().backward_input(g, filter, grad_out, grad_in, n_begin, n_end);
}

template <class T>
void direct_backward_filter(const ConvGeometry& g, const T* in, const T* grad_out, T* dw,
                            std::size_t n_begin, std::size_t n_end) {
  active<ConvDirectTable<T>>().backward_filter(g, in, grad_out, dw, n_begin, n_end);
}

#define XGRAD_DIRECT_INSTANTIATE(T)                                                             \
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
