#pragma once
// Private: SplitMix64's finaliser (Steele, Lea, Flood 2014), a bijective, well-mixed hash of 64
// bits. Counter-based draws built on it (dropout masks, augmentation choices) depend only on
// the seed and the element's index, never on how the work is split over threads.
#include <cstdint>

namespace xgrad {

inline std::uint64_t splitmix64(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

}  // namespace xgrad
