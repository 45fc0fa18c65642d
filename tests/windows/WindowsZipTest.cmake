# The Windows zip holds what the installer installs, in the layout in which
# tokenbroker.exe finds its plugins (bin\ and lib\tokenbroker\plugins\).
#   cmake -DZIP=FILE -DWORK=DIR -P WindowsZipTest.cmake
file(REMOVE_RECURSE ${WORK})
file(ARCHIVE_EXTRACT INPUT ${ZIP} DESTINATION ${WORK})
set(expected
  bin/tokenbroker.exe
  lib/tokenbroker/plugins/pat.dll
  lib/tokenbroker/plugins/jwt.dll
  lib/tokenbroker/plugins/oauth.dll
  share/tokenbroker/tokenbroker.yaml
  share/doc/tokenbroker/README.md)
set(passed 0)
set(failed 0)
foreach(file ${expected})
  if(EXISTS ${WORK}/${file})
    math(EXPR passed "${passed} + 1")
  else()
    math(EXPR failed "${failed} + 1")
    message("missing from the zip: ${file}")
  endif()
endforeach()
file(GLOB_RECURSE all RELATIVE ${WORK} ${WORK}/*)
foreach(file ${all})
  if(file MATCHES "\\.(a|lib|h|cmake)$")
    math(EXPR failed "${failed} + 1")
    message("a build file in the zip: ${file}")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK})
message("${passed} passed, ${failed} failed")
if(failed GREATER 0)
  message(FATAL_ERROR "the Windows zip is incomplete")
endif()
