#include "xgrad/version.hpp"

namespace xgrad {

const char* library_version() { return XGRAD_VERSION_STRING; }

}  // namespace xgrad
