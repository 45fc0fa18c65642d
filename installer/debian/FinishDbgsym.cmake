# CPack post-build script (CPACK_POST_BUILD_SCRIPTS): rebuilds each -dbgsym
# .ddeb CPack made (CPACK_PACKAGE_FILES, before they are copied out) with
# an md5sums of the paths it installs (CMake 3.25 writes its staging paths
# there) and with the documentation (copyright, changelog) of the package
# it belongs to.
find_program(_dpkg_deb dpkg-deb REQUIRED)
foreach(_ddeb IN LISTS CPACK_PACKAGE_FILES)
  if(NOT _ddeb MATCHES "\\.ddeb$")
    continue()
  endif()
  get_filename_component(_name "${_ddeb}" NAME)
  string(REGEX REPLACE "_.*" "" _package "${_name}")
  set(_root "${CPACK_TOPLEVEL_DIRECTORY}/dbgsym-root")
  file(REMOVE_RECURSE "${_root}")
  execute_process(COMMAND ${_dpkg_deb} --raw-extract "${_ddeb}" "${_root}" COMMAND_ERROR_IS_FATAL ANY)
  # As dh_strip does: the documentation is the package's it depends on.
  string(REGEX REPLACE "-dbgsym$" "" _debugged "${_package}")
  file(MAKE_DIRECTORY "${_root}/usr/share/doc")
  file(CREATE_LINK ${_debugged} "${_root}/usr/share/doc/${_package}" SYMBOLIC)
  execute_process(
    COMMAND sh -c "find usr -type f | LC_ALL=C sort | xargs md5sum > DEBIAN/md5sums"
    WORKING_DIRECTORY "${_root}" COMMAND_ERROR_IS_FATAL ANY)
  file(REMOVE "${_ddeb}")
  execute_process(COMMAND ${_dpkg_deb} --root-owner-group --build "${_root}" "${_ddeb}"
    OUTPUT_QUIET COMMAND_ERROR_IS_FATAL ANY)
  file(REMOVE_RECURSE "${_root}")
endforeach()
