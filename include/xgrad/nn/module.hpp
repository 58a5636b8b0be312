#pragma once
/// \file
/// nn::Module: named parameters, buffers and children; the training flag.
///
/// `nn::BasicModule<T>` is the class template; `nn::Module` (float32) and `nn::Module64`
/// (float64) are its two instances, as `Tensor` and `Tensor64` are BasicTensor's. Every layer
/// follows the same pattern (`nn::Dense` / `nn::Dense64` = `nn::BasicDense<float|double>`),
/// so a model can be built in float64 to check its gradients (nn/gradcheck.hpp) and its state
/// copied between the two (nn/copy_state.hpp).
///
/// Follows the PyTorch C++ `Module` protocol with two changes:
/// - `parameters()` returns only *trainable* parameters (what optimizers take);
///   `named_parameters()` and checkpoints include frozen ones too.
/// - `trainable` is a per-parameter flag, independent of `training` (Keras' BatchNormalization
///   keeps the two apart too). Freezing never changes the mode and `train()` never unfreezes. The flag is stored as the
///   parameter tensor's `requires_grad`, so a frozen parameter gets no gradient and every
///   optimizer holding its handle skips it.
///
/// Names are non-empty and dot-free; storage is insertion-ordered, so iteration and
/// checkpoints are deterministic. Nested names are dotted: "0.kernel", "2.moving_mean".
///
/// Modules are not copyable: a copy would share every parameter with the original (tensors
/// are handles) and keep its registered name, so training one would silently train both.
/// Hold modules by std::shared_ptr; to get an independent module, build a new one and copy
/// the state in (io::save / io::load). Moving is allowed (Sequential::add(nn::Dense(...)));
/// the moved-to module starts unregistered.
#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "xgrad/tensor.hpp"

namespace xgrad::nn {

template <class T>
class BasicModule;
/// float32 modules, the default.
using Module = BasicModule<float>;
/// float64 modules, for gradient checks.
using Module64 = BasicModule<double>;

/// (dotted name, value) pairs, in registration order.
template <class V>
using NamedList = std::vector<std::pair<std::string, V>>;

/// The base of every layer and model: named parameters, buffers and child modules, and the
/// training flag (see the file's description). `T` is the element type of every tensor it
/// holds: float (nn::Module) or double (nn::Module64).
template <class T>
class BasicModule {
public:
  /// The element type.
  using value_type = T;
  /// The tensors it takes, returns and holds: Tensor (float) or Tensor64 (double).
  using Tensor = BasicTensor<T>;
  /// This class, by the name a subclass's constructor calls it: `Net() : Module("Net")`.
  using Module = BasicModule;

  /// `type_name` appears in error messages and in `name()` ("Dense", "BatchNorm", ...).
  explicit BasicModule(std::string type_name = "Module");
  virtual ~BasicModule() = default;
  BasicModule(const BasicModule&) = delete;
  BasicModule& operator=(const BasicModule&) = delete;
  /// Takes the parameters, buffers and children; the result is unregistered (empty
  /// registered_name) until registered again.
  BasicModule(BasicModule&& other) noexcept;
  BasicModule& operator=(BasicModule&&) = delete;

  /// The layer's computation. The base class throws std::logic_error.
  virtual Tensor forward(const Tensor& x);
  /// forward(x). Prefer it over calling forward() on children: summary() sees the output
  /// shapes of modules called this way (Sequential calls its layers this way), and
  /// nn::gradcheck_module finds the layers to blame through it.
  Tensor operator()(const Tensor& x);

  /// Registers a parameter (a leaf tensor). `trainable` sets its requires_grad flag.
  /// Throws std::invalid_argument on an empty/dotted/duplicate name, an undefined or
  /// non-leaf tensor. Returns a handle to it (by value: it stays valid whatever is
  /// registered later).
  Tensor register_parameter(const std::string& name, Tensor tensor, bool trainable = true);
  /// Registers non-trainable state (requires_grad false), e.g. BN moving statistics.
  /// Buffers are updated in place, never rebound. Returns a handle, as register_parameter.
  Tensor register_buffer(const std::string& name, Tensor tensor);
  ///@{
  /// Registers a child module; its parameters and buffers appear under "name.".
  /// Returns it with its own type: `conv1_ = register_module("conv1",
  /// std::make_shared<nn::Conv2D>(1, 8, 3));` keeps a std::shared_ptr<nn::Conv2D>.
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    static_assert(std::is_base_of<BasicModule, M>::value,
                  "register_module: M must derive from Module, of the same element type");
    register_child(name, module);
    return module;
  }
  std::shared_ptr<BasicModule> register_module(const std::string& name,
                                               std::shared_ptr<BasicModule> module) {
    register_child(name, module);
    return module;
  }
  ///@}

  /// Trainable parameters, recursively, in registration order.
  std::vector<Tensor> parameters() const;
  /// All parameters (frozen included), recursively, with dotted names.
  NamedList<Tensor> named_parameters() const;
  /// All buffers, recursively.
  std::vector<Tensor> buffers() const;
  /// All buffers, recursively, with dotted names ("1.moving_mean").
  NamedList<Tensor> named_buffers() const;
  /// Direct children.
  const NamedList<std::shared_ptr<BasicModule>>& named_children() const { return children_; }

  ///@{
  /// Looks up a parameter (or a buffer) by dotted name; throws std::out_of_range naming it.
  Tensor parameter(const std::string& dotted_name) const;
  Tensor buffer(const std::string& dotted_name) const;
  ///@}

  /// Freezes (false) or unfreezes (true) every parameter, recursively.
  void set_trainable(bool trainable);
  /// Freezes or unfreezes one parameter by dotted name ("0.kernel").
  void set_trainable(const std::string& dotted_name, bool trainable);
  /// Whether a parameter, by dotted name, is trainable (not frozen).
  bool is_trainable(const std::string& dotted_name) const;

  /// Sets training mode on this module and every child. Modules start in training mode.
  virtual void train(bool on = true);
  /// Same as train(false).
  void eval() { train(false); }
  /// True in training mode (the default), false after eval().
  bool is_training() const { return training_; }

  /// "Dense", "BatchNorm", ... for error messages.
  const std::string& name() const { return type_name_; }
  /// The dotted name this module has in the model it is registered in ("0", "bn1",
  /// "encoder.1"), the prefix of its parameters' names; empty for an unregistered module.
  /// Set by register_module, and kept up to date when the parent is registered in turn.
  const std::string& registered_name() const { return registered_name_; }
  /// "Dense '0'" (or just "Dense" when unregistered): how errors name this layer.
  std::string label() const;

  /// Parameter counts, recursively, in elements. Buffers count as non-trainable, as do
  /// frozen parameters (Keras' convention).
  struct ParameterCounts {
    std::size_t trainable = 0;      ///< elements of trainable parameters
    std::size_t non_trainable = 0;  ///< elements of frozen parameters and buffers
    std::size_t total() const { return trainable + non_trainable; }  ///< both
  };
  /// This module's parameter counts (see ParameterCounts).
  ParameterCounts count_parameters() const;

  /// Prints a Keras-like table of the model: one row per sub-module (dotted name, type,
  /// output shape, parameter count including buffers), then the total, trainable and
  /// non-trainable counts. The output shapes come from one forward pass of a zero tensor
  /// of `input_shape` (batch included, e.g. {1, 28, 28, 1}) without gradients, in eval
  /// mode (no statistics or other state change); every module's mode is restored after.
  /// Modules called only through forward() rather than operator() show "?" as shape.
  /// Not const: it runs forward() (and switches modes for the pass).
  void summary(const Shape& input_shape, std::ostream& out);
  /// The same table to std::cout.
  void summary(const Shape& input_shape);
  /// The same table as a string.
  std::string summary_string(const Shape& input_shape);

protected:
  /// Checks a name for registration: non-empty, no '.', not already used here.
  void check_new_name(const std::string& name) const;

private:
  void register_child(const std::string& name, std::shared_ptr<BasicModule> module);
  void collect_parameters(const std::string& prefix, NamedList<Tensor>& out) const;
  void collect_buffers(const std::string& prefix, NamedList<Tensor>& out) const;
  void set_registered_name(const std::string& dotted_name);
  std::string type_name_;
  std::string registered_name_;
  bool training_ = true;
  NamedList<Tensor> parameters_;
  NamedList<Tensor> buffers_;
  NamedList<std::shared_ptr<BasicModule>> children_;
};

extern template class BasicModule<float>;
extern template class BasicModule<double>;

}  // namespace xgrad::nn
