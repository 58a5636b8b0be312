#include "kernels/vmath.hpp"

#include "kernels/vmath_table.hpp"

namespace xgrad::kernels {

template <class T>
void sigmoid(const T* x, T* out, std::size_t n) {
  active<VMathTable<T>>().sigmoid(x, out, n);
}
template <class T>
void tanh(const T* x, T* out, std::size_t n) {
  active<VMathTable<T>>().tanh(x, out, n);
}
template <class T>
void exp(const T* x, T* out, std::size_t n) {
  active<VMathTable<T>>().exp(x, out, n);
}
template <class T>
void log(const T* x, T* out, std::size_t n) {
  active<VMathTable<T>>().log(x, out, n);
}
template <class T>
T exp_shift_sum(const T* x, T shift, T* out, std::size_t n) {
  return active<VMathTable<T>>().exp_shift_sum_store(x, shift, out, n);
}
template <class T>
T exp_shift_sum(const T* x, T shift, std::size_t n) {
  return active<VMathTable<T>>().exp_shift_sum(x, shift, n);
}
template <class T>
T max(const T* x, std::size_t n) {
  return active<VMathTable<T>>().max(x, n);
}
template <class T>
T sum(const T* x, std::size_t n) {
  return active<VMathTable<T>>().sum(x, n);
}
template <class T>
T sum_sq_dev(const T* x, T mu, std::size_t n) {
  return active<VMathTable<T>>().sum_sq_dev(x, mu, n);
}

#define XGRAD_VMATH_INSTANTIATE(T)                                        \
  template void sigmoid<T>(const T*, T*, std::size_t);                   \
  template void tanh<T>(const T*, T*, std::size_t);                      \
  template void exp<T>(const T*, T*, std::size_t);                       \
  template void log<T>(const T*, T*, std::size_t);                       \
  template T exp_shift_sum<T>(const T*, T, T*, std::size_t);             \
  template T exp_shift_sum<T>(const T*, T, std::size_t);                 \
  template T max<T>(const T*, std::size_t);                              \
  template T sum<T>(const T*, std::size_t);                              \
  template T sum_sq_dev<T>(const T*, T, std::size_t);
XGRAD_VMATH_INSTANTIATE(float)
XGRAD_VMATH_INSTANTIATE(double)
#undef XGRAD_VMATH_INSTANTIATE

}  // namespace xgrad::kernels
