# Files the Linux install carries besides the targets: the configuration
# (installed once, never over an existing one), manual pages and the Debian
# changelog compressed as Debian wants them (gzip -9n: reproducible), and
# each package's copyright and lintian overrides.

# /etc/tokenbroker/tokenbroker.yaml is where the unit reads its configuration
# (a path of the system, not of CMAKE_INSTALL_PREFIX). `cmake --install`
# keeps one that exists; in the package it is a conffile, so dpkg keeps an
# edited one.
install(CODE "
  if(EXISTS \"\$ENV{DESTDIR}/etc/tokenbroker/tokenbroker.yaml\")
    message(STATUS \"Keeping: \$ENV{DESTDIR}/etc/tokenbroker/tokenbroker.yaml\")
  else()
    file(INSTALL DESTINATION /etc/tokenbroker TYPE FILE
      PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
      FILES \"${PROJECT_SOURCE_DIR}/config/linux/tokenbroker.yaml\")
  endif()" COMPONENT runtime)

find_program(TOKENBROKER_GZIP gzip REQUIRED)
set(_compressed_dir ${CMAKE_CURRENT_BINARY_DIR}/compressed)
function(tokenbroker_gzip source output)
  add_custom_command(OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${_compressed_dir}
    COMMAND ${TOKENBROKER_GZIP} -9nc ${source} > ${output}
    DEPENDS ${source} VERBATIM)
endfunction()
tokenbroker_gzip(${PROJECT_SOURCE_DIR}/docs/man/tokenbroker.8 ${_compressed_dir}/tokenbroker.8.gz)
tokenbroker_gzip(${PROJECT_SOURCE_DIR}/docs/man/tokenbroker.yaml.5 ${_compressed_dir}/tokenbroker.yaml.5.gz)
tokenbroker_gzip(${CMAKE_CURRENT_LIST_DIR}/changelog ${_compressed_dir}/changelog.Debian.gz)
add_custom_target(tokenbroker_compressed_docs ALL DEPENDS
  ${_compressed_dir}/tokenbroker.8.gz ${_compressed_dir}/tokenbroker.yaml.5.gz ${_compressed_dir}/changelog.Debian.gz)

install(FILES ${_compressed_dir}/tokenbroker.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8 COMPONENT runtime)
install(FILES ${_compressed_dir}/tokenbroker.yaml.5.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man5 COMPONENT runtime)
foreach(_component runtime dev)
  set(_package tokenbroker)
  if(_component STREQUAL dev)
    set(_package tokenbroker-dev)
  endif()
  install(FILES ${CMAKE_CURRENT_LIST_DIR}/copyright ${_compressed_dir}/changelog.Debian.gz
    DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${_package} COMPONENT ${_component})
  # lintian's overrides, each with its reason.
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/lintian/${_package}
    "# tokenbroker is not uploaded to the Debian archive, so there is no ITP bug\n"
    "# for its first changelog entry to close.\n"
    "${_package}: initial-upload-closes-no-bugs\n")
  install(FILES ${CMAKE_CURRENT_BINARY_DIR}/lintian/${_package}
    DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides COMPONENT ${_component})
endforeach()
