# CMake toolchain file: cross-compile for 64-bit Windows with Debian's
# mingw-w64 POSIX-thread-model GCC (package g++-mingw-w64-x86-64-posix).
# Usage (see README, "Windows"): scripts/windows/build-deps.sh, then
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake
#         -DCMAKE_PREFIX_PATH=/var/cache/tokenbroker-wincross/prefix ...
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(_tc x86_64-w64-mingw32)

set(CMAKE_C_COMPILER   ${_tc}-gcc-posix)
set(CMAKE_CXX_COMPILER ${_tc}-g++-posix)
set(CMAKE_RC_COMPILER  ${_tc}-windres)
set(CMAKE_AR           /usr/bin/${_tc}-ar     CACHE FILEPATH "")
set(CMAKE_RANLIB       /usr/bin/${_tc}-ranlib CACHE FILEPATH "")
# POCO looks for mc.exe (message compiler); binutils ships windmc instead.
set(CMAKE_MC_COMPILER  /usr/bin/${_tc}-windmc CACHE FILEPATH "")

# Prefix with the cross-built deps (OpenSSL, POCO, yaml-cpp).
if(DEFINED ENV{WINCROSS_PREFIX})
  set(WINCROSS_PREFIX $ENV{WINCROSS_PREFIX})
else()
  set(WINCROSS_PREFIX /var/cache/tokenbroker-wincross/prefix)
endif()

set(CMAKE_FIND_ROOT_PATH /usr/${_tc} ${WINCROSS_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Lets ctest / try_run execute the .exe files through wine, in a wine prefix
# of the build tree's own (scripts/windows/wine-run.sh).
find_program(_wine NAMES wine)
if(_wine)
  set(CMAKE_CROSSCOMPILING_EMULATOR
      ${CMAKE_CURRENT_LIST_DIR}/../scripts/windows/wine-run.sh --prefix=${CMAKE_BINARY_DIR}/wineprefix)
endif()
