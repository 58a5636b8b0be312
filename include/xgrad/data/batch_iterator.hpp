#pragma once
/// \file
/// The range-for iterator of Batches and TensorBatches: it advances its owner with
/// `owner->next(batch)` and ends when that returns false (the end of an epoch).
#include <cstddef>
#include <iterator>

namespace xgrad::data {

/// Input iterator over the batches of `Owner` (Batches or TensorBatches), whose current
/// batch, of type `Item`, the owner holds. Only the owner makes non-end iterators (begin()).
template <class Owner, class Item>
class BatchIterator {
public:
  ///@{
  /// Input-iterator protocol: `*it` is the current batch (owned by the batches object and
  /// refilled by `++it`); the iterator equals end() once an epoch is over.
  using iterator_category = std::input_iterator_tag;
  using value_type = Item;
  using difference_type = std::ptrdiff_t;
  using pointer = Item*;
  using reference = Item&;

  BatchIterator() = default;
  reference operator*() const { return *current_; }
  pointer operator->() const { return current_; }
  BatchIterator& operator++() {
    if (!owner_->next(*current_)) owner_ = nullptr;
    return *this;
  }
  bool operator==(const BatchIterator& o) const { return owner_ == o.owner_; }
  bool operator!=(const BatchIterator& o) const { return owner_ != o.owner_; }
  ///@}

private:
  friend Owner;
  BatchIterator(Owner* owner, Item* current) : owner_(owner), current_(current) {}
  Owner* owner_ = nullptr;
  Item* current_ = nullptr;
};

}  // namespace xgrad::data
