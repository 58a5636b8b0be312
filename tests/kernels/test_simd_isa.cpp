// Runtime SIMD dispatch (kernels/simd_isa.hpp): the chosen instruction set, and every set the
// CPU runs agreeing with the baseline kernels to rounding on the same inputs.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "kernels/conv.hpp"
#include "kernels/conv_direct_table.hpp"
#include "kernels/im2col_table.hpp"
#include "kernels/simd_isa.hpp"
#include "kernels/vmath_table.hpp"
#include "support/isa_skip.hpp"
#include "support/test_utils.hpp"
#include "xgrad/cpu.hpp"

using namespace xgrad;
using kernels::Isa;

TEST_CASE("simd isa: the set in use is one the CPU runs, capped by XGRAD_ISA", "[simd]") {
  const Isa active = kernels::active_isa();
  CHECK(int(active) <= int(kernels::cpu_isa()));
  CHECK(std::string(simd_isa()) == kernels::isa_name(active));
  const char* cap = std::getenv("XGRAD_ISA");
  if (cap && *cap) {
    // The cap, or the CPU's widest set when the cap is wider.
    const std::string want = cap;
    CHECK((want == simd_isa() || int(active) == int(kernels::cpu_isa())));
    CHECK(!(want == "baseline" && active != Isa::Baseline));
  } else {
    CHECK(active == kernels::cpu_isa());
  }
}

namespace {

struct DirectResults {
  xt::xarray<double> y, dx, dw;
};

template <class T>
DirectResults run_direct(Isa isa, const kernels::ConvGeometry& g, const xt::xarray<T>& x,
                         const xt::xarray<T>& w, const xt::xarray<T>& up) {
  const auto& k = kernels::for_isa<kernels::ConvDirectTable<T>>(isa);
  xt::xarray<T> y = xt::xarray<T>::from_shape({g.n, g.oh, g.ow, g.o});
  xt::xarray<T> dx = xt::xarray<T>::from_shape(x.shape());
  xt::xarray<T> dw = xt::xarray<T>::from_shape(w.shape());
  k.forward(g, x.data(), w.data(), y.data(), 0, g.n);
  k.backward_input(g, w.data(), up.data(), dx.data(), 0, g.n);
  k.backward_filter(g, x.data(), up.data(), dw.data(), 0, g.n);
  return {xt::cast<double>(y), xt::cast<double>(dx), xt::cast<double>(dw)};
}

/// Sets differ in summation order (vector width, blocking) and in FMA versus multiply + add,
/// nothing else: float results agree to a few ulps of the sums' magnitude.
template <class T>
void compare_with_baseline(Isa isa, double tol) {
  struct Case {
    std::size_t n, h, w, c, k, o, s;
    bool same;
  };
  const Case cases[] = {{2, 28, 28, 1, 5, 8, 1, true},  {3, 14, 14, 8, 3, 16, 1, true},
                        {1, 9, 7, 3, 3, 5, 2, true},    {2, 13, 13, 12, 3, 17, 2, false},
                        {1, 6, 6, 4, 1, 2, 1, false},   {2, 28, 28, 16, 3, 16, 2, true}};
  std::uint64_t seed = 77;
  for (const Case& q : cases) {
    INFO(std::string(kernels::isa_name(isa)) << " in " << q.n << "x" << q.h << "x" << q.w << "x"
                                             << q.c << " k " << q.k << " o " << q.o << " s "
                                             << q.s);
    const auto g = kernels::make_geometry(q.n, q.h, q.w, q.c, q.k, q.k, q.o, q.s, q.s, q.same);
    const auto x = test::random_array<T>({q.n, q.h, q.w, q.c}, seed++);
    const auto w = test::random_array<T>({q.k, q.k, q.c, q.o}, seed++);
    const auto up = test::random_array<T>({q.n, g.oh, g.ow, q.o}, seed++);
    const DirectResults base = run_direct<T>(Isa::Baseline, g, x, w, up);
    const DirectResults wide = run_direct<T>(isa, g, x, w, up);
    CHECK(test::all_close(wide.y, base.y, tol));
    CHECK(test::all_close(wide.dx, base.dx, tol));
    CHECK(test::all_close(wide.dw, base.dw, tol));
  }
}

}  // namespace

TEST_CASE("simd isa: direct conv kernels of every set agree with the baseline to rounding",
          "[simd][conv][every_isa]") {
  for (Isa isa : {Isa::Avx2, Isa::Avx512}) {
    if (!test::cpu_has_or_skip(isa)) continue;
    compare_with_baseline<float>(isa, 1e-5);
    compare_with_baseline<double>(isa, 1e-13);
  }
}

TEST_CASE("simd isa: im2col and col2im_add of every set equal the baseline's exactly",
          "[simd][conv][every_isa]") {
  for (Isa isa : {Isa::Avx2, Isa::Avx512}) {
    if (!test::cpu_has_or_skip(isa)) continue;
    // Channel counts across the short-run cases (1..16 values, full vectors plus a tail).
    for (std::size_t c : {1, 2, 3, 4, 5, 8, 12, 16, 17, 33}) {
      INFO(kernels::isa_name(isa) << " c " << c);
      const auto g = kernels::make_geometry(2, 9, 7, c, 3, 3, 4, 2, 1, true);
      const auto x = test::random_array<float>({g.n, g.h, g.w, c}, 40 + c);
      const auto xd = test::random_array<double>({g.n, g.h, g.w, c}, 40 + c);
      const std::size_t len = g.rows() * g.cols() + kernels::kColSlack;
      std::vector<float> a(len), b(len);
      std::vector<double> ad(len), bd(len);
      const auto& base_f = kernels::for_isa<kernels::Im2colTable<float>>(Isa::Baseline);
      const auto& wide_f = kernels::for_isa<kernels::Im2colTable<float>>(isa);
      const auto& base_d = kernels::for_isa<kernels::Im2colTable<double>>(Isa::Baseline);
      const auto& wide_d = kernels::for_isa<kernels::Im2colTable<double>>(isa);
      base_f.im2col(g, x.data(), a.data(), 0, g.rows());
      wide_f.im2col(g, x.data(), b.data(), 0, g.rows());
      base_d.im2col(g, xd.data(), ad.data(), 0, g.rows());
      wide_d.im2col(g, xd.data(), bd.data(), 0, g.rows());
      const std::size_t used = g.rows() * g.cols();
      CHECK(std::equal(a.begin(), a.begin() + used, b.begin()));
      CHECK(std::equal(ad.begin(), ad.begin() + used, bd.begin()));
      // The adjoint, from the same column matrix into a nonzero gradient.
      xt::xarray<float> da = test::random_array<float>({g.n, g.h, g.w, c}, 90 + c);
      xt::xarray<float> db = da;
      base_f.col2im_add(g, a.data(), da.data(), 0, g.rows());
      wide_f.col2im_add(g, a.data(), db.data(), 0, g.rows());
      CHECK(test::all_close(db, da, 0.0));
      xt::xarray<double> dad = test::random_array<double>({g.n, g.h, g.w, c}, 90 + c);
      xt::xarray<double> dbd = dad;
      base_d.col2im_add(g, ad.data(), dad.data(), 0, g.rows());
      wide_d.col2im_add(g, ad.data(), dbd.data(), 0, g.rows());
      CHECK(test::all_close(dbd, dad, 0.0));
    }
  }
}

namespace {

template <class T>
void compare_vmath(Isa isa, double tol) {
  const auto& b = kernels::for_isa<kernels::VMathTable<T>>(Isa::Baseline);
  const auto& w = kernels::for_isa<kernels::VMathTable<T>>(isa);
  for (std::size_t n : {1, 3, 7, 16, 33, 100, 1000}) {
    INFO(kernels::isa_name(isa) << " n " << n);
    xt::xarray<T> x = T(8) * test::random_array<T>({n}, 500 + n);
    const xt::xarray<T> pos = xt::abs(x) + T(0.1);
    xt::xarray<T> ob = xt::zeros<T>({n}), ow = ob;
    b.sigmoid(x.data(), ob.data(), n);
    w.sigmoid(x.data(), ow.data(), n);
    CHECK(test::all_close(ow, ob, tol));
    b.tanh(x.data(), ob.data(), n);
    w.tanh(x.data(), ow.data(), n);
    CHECK(test::all_close(ow, ob, tol));
    b.exp(x.data(), ob.data(), n);
    w.exp(x.data(), ow.data(), n);
    CHECK(test::all_close(ow, ob, tol));
    b.log(pos.data(), ob.data(), n);
    w.log(pos.data(), ow.data(), n);
    CHECK(test::all_close(ow, ob, tol));
    CHECK(w.exp_shift_sum_store(x.data(), T(1), ow.data(), n) ==
          Approx(b.exp_shift_sum_store(x.data(), T(1), ob.data(), n)).epsilon(tol));
    CHECK(test::all_close(ow, ob, tol));
    CHECK(w.exp_shift_sum(x.data(), T(1), n) == Approx(b.exp_shift_sum(x.data(), T(1), n)).epsilon(tol));
    CHECK(w.max(x.data(), n) == b.max(x.data(), n));
    CHECK(w.sum(x.data(), n) == Approx(b.sum(x.data(), n)).epsilon(tol).margin(tol));
    CHECK(w.sum_sq_dev(x.data(), T(0.5), n) ==
          Approx(b.sum_sq_dev(x.data(), T(0.5), n)).epsilon(tol));
  }
}

}  // namespace

TEST_CASE("simd isa: vmath loops of every set agree with the baseline to rounding",
          "[simd][vmath][every_isa]") {
  for (Isa isa : {Isa::Avx2, Isa::Avx512}) {
    if (!test::cpu_has_or_skip(isa)) continue;
    compare_vmath<float>(isa, 1e-5);
    compare_vmath<double>(isa, 1e-13);
  }
}
