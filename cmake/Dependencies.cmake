# Everything comes from Debian 12 packages (see cmake/install_deps.sh).
find_package(xtl REQUIRED)
find_package(xsimd REQUIRED)
find_package(xtensor REQUIRED)
find_package(xtensor-blas REQUIRED)
set(BLA_VENDOR OpenBLAS)
find_package(BLAS REQUIRED)
find_package(ZLIB REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(Threads REQUIRED)
# xgrad's threads (kernels/parallel.hpp). Optional: without it xgrad runs on one thread.
find_package(OpenMP COMPONENTS CXX)
