# The Debian packages, made from the build tree by CPack (`cpack -G DEB` in
# the build directory; tests/package builds, lints and installs them):
#   tokenbroker_VERSION-1_amd64.deb         the daemon, plugins, unit, docs
#   tokenbroker-dbgsym_VERSION-1_amd64.ddeb its debug symbols (the .deb's
#                                           binaries are stripped)
#   tokenbroker-dev_VERSION-1_all.deb       plugin.h and find_package(tokenbroker)
# CPack rather than debian/ + debhelper: the package is made from the very
# build the suites ran against, without a second compile (CI's time is
# counted); the maintainer scripts are the ones debhelper would write.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tokenbroker)
set(CPACK_PACKAGE_VENDOR "tokenbroker")
set(CPACK_PACKAGE_CONTACT "tokenbroker maintainers <maintainers@tokenbroker.example.org>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# Absolute destinations (/etc/tokenbroker) land in the package root.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_COMPONENTS_ALL runtime dev)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://tokenbroker.example.org/")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME tokenbroker)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RUNTIME_DEBUGINFO_PACKAGE ON)
# What the maintainer scripts need: systemd-sysusers (systemd-tmpfiles is used
# when present), deb-systemd-helper and deb-systemd-invoke.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS
  "systemd | systemd-standalone-sysusers | systemd-sysusers, init-system-helpers (>= 1.54~)")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_LIST_DIR}/conffiles
  ${CMAKE_CURRENT_LIST_DIR}/postinst
  ${CMAKE_CURRENT_LIST_DIR}/prerm
  ${CMAKE_CURRENT_LIST_DIR}/postrm)
# First line: the synopsis; CPack indents the rest as Debian wants.
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "keeps API access tokens fresh for local programs
Programs that call an API, first the Coze open API, need a valid access
token at all times, but should not each carry OAuth code, private keys or
refresh logic. tokenbroker runs as a systemd service, reads named profiles
from /etc/tokenbroker/tokenbroker.yaml, obtains and renews each profile's
token through an auth flow plugin, and writes the current token to files
and environment files that other services read.

Flows shipped: personal and service access tokens (pat), JWT service OAuth
(jwt), authorization code (web), PKCE (pkce) and device code (device).")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME tokenbroker-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_DEV_DESCRIPTION "tokenbroker plugin SDK
tokenbroker obtains and renews API access tokens through auth flow plugins,
shared libraries loaded at run time. This package holds what a plugin built
outside tokenbroker's tree needs: the C header tokenbroker/plugin.h, the
whole plugin ABI, and a CMake package configuration, so that a project can
find_package(tokenbroker) and call tokenbroker_add_plugin().")

# CMake 3.25 makes the -dbgsym package with staging paths in its md5sums
# and without copyright or changelog; FinishDbgsym.cmake rebuilds it as
# dh_strip would.
set(CPACK_POST_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/FinishDbgsym.cmake)

include(CPack)
