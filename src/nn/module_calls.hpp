#pragma once
// Private: an observer of module calls through operator(), on the calling thread. summary()
// uses one to see output shapes, gradcheck_module one to find each layer's input. Null when
// nobody observes, so operator() costs one thread-local load.
#include "xgrad/nn/module.hpp"

namespace xgrad::nn::detail {

template <class T>
struct CallObserver {
  virtual ~CallObserver() = default;
  virtual void on_call(BasicModule<T>& module, const BasicTensor<T>& input,
                       const BasicTensor<T>& output) = 0;
};

/// This thread's observer of BasicModule<T> calls (null: none).
template <class T>
CallObserver<T>*& call_observer();

/// Installs an observer for its lifetime, restoring the previous one after.
template <class T>
class ObserveCalls {
public:
  explicit ObserveCalls(CallObserver<T>* observer) : saved_(call_observer<T>()) {
    call_observer<T>() = observer;
  }
  ~ObserveCalls() { call_observer<T>() = saved_; }
  ObserveCalls(const ObserveCalls&) = delete;
  ObserveCalls& operator=(const ObserveCalls&) = delete;

private:
  CallObserver<T>* saved_;
};

}  // namespace xgrad::nn::detail
