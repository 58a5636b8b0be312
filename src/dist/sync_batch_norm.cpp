// sync_batch_norm: fused_batch_norm with a statistics source that combines every rank's
// per-feature sums (one all-gather forward, one backward).
#include "xgrad/dist/sync_batch_norm.hpp"

#include <memory>
#include <vector>

namespace xgrad::dist {

namespace {

// Every rank's `local` (the same length everywhere), rank after rank.
std::vector<double> gather(const Communicator& comm, const std::vector<double>& local) {
  std::vector<double> all(local.size() * std::size_t(comm.size()));
  check(MPI_Allgather(local.data(), int(local.size()), MPI_DOUBLE, all.data(), int(local.size()),
                      MPI_DOUBLE, comm.comm()),
        "MPI_Allgather");
  return all;
}

/// The statistics of every rank's rows together, combined in double and in rank order, so
/// every rank gets the same bits.
template <class T>
class RankStatistics : public BatchNormStatistics<T> {
public:
  explicit RankStatistics(const Communicator& comm) : comm_(comm) {}

  /// Global count, mean and M2 = sum_r [M2_r + n_r (mean_r - mean)^2] (Chan et al.).
  std::size_t moments(std::size_t rows, std::size_t f, const T* sum, const T*, const T* m2,
                      T* mean, T* variance) const override {
    std::vector<double> mine(1 + 2 * f);
    mine[0] = double(rows);
    for (std::size_t c = 0; c < f; ++c) {
      mine[1 + c] = double(sum[c]);
      mine[1 + f + c] = double(m2[c]);
    }
    const std::vector<double> all = gather(comm_, mine);
    double total = 0;
    std::vector<double> gsum(f, 0.0), gm2(f, 0.0);
    for (int r = 0; r < comm_.size(); ++r) {
      const double* p = all.data() + std::size_t(r) * mine.size();
      total += p[0];
      for (std::size_t c = 0; c < f; ++c) gsum[c] += p[1 + c];
    }
    if (total == 0) return 0;
    for (int r = 0; r < comm_.size(); ++r) {
      const double* p = all.data() + std::size_t(r) * mine.size();
      if (p[0] == 0) continue;
      for (std::size_t c = 0; c < f; ++c) {
        const double d = p[1 + c] / p[0] - gsum[c] / total;
        gm2[c] += p[1 + f + c] + p[0] * d * d;
      }
    }
    for (std::size_t c = 0; c < f; ++c) {
      mean[c] = T(gsum[c] / total);
      variance[c] = T(gm2[c] / total);
    }
    return std::size_t(total);
  }

  void gradient_means(std::size_t batch_rows, std::size_t f, const T* sums, const T* inv,
                      T* mean_g, T* k) const override {
    const std::vector<double> all = gather(comm_, std::vector<double>(sums, sums + 2 * f));
    std::vector<double> global(2 * f, 0.0);
    for (int r = 0; r < comm_.size(); ++r) {
      for (std::size_t i = 0; i < 2 * f; ++i) global[i] += all[std::size_t(r) * 2 * f + i];
    }
    const double total = double(batch_rows);
    for (std::size_t c = 0; c < f; ++c) {
      mean_g[c] = T(global[c] / total);
      k[c] = T(double(inv[c]) * double(inv[c]) * global[f + c] / total);
    }
  }

private:
  Communicator comm_;
};

}  // namespace

template <class T>
FusedBatchNorm<T> sync_batch_norm(const Communicator& comm, const BasicTensor<T>& x,
                                  const BasicTensor<T>& scale, const BasicTensor<T>& offset,
                                  double eps) {
  return fused_batch_norm(x, scale, offset, eps, std::make_shared<const RankStatistics<T>>(comm));
}

template FusedBatchNorm<float> sync_batch_norm(const Communicator&, const BasicTensor<float>&,
                                               const BasicTensor<float>&, const BasicTensor<float>&,
                                               double);
template FusedBatchNorm<double> sync_batch_norm(const Communicator&, const BasicTensor<double>&,
                                                const BasicTensor<double>&,
                                                const BasicTensor<double>&, double);

SyncBatchNorm::SyncBatchNorm(const nn::BatchNormOptions& options, const Communicator& comm)
    : nn::BatchNorm("SyncBatchNorm", options, std::make_shared<const RankStatistics<float>>(comm)) {}

}  // namespace xgrad::dist
