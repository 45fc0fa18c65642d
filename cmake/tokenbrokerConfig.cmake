# find_package(tokenbroker): build a flow plugin outside tokenbroker's tree.
#
#   find_package(tokenbroker 0.1 REQUIRED)
#   tokenbroker_add_plugin(hello hello_flow.c)   # hello.so, installed to
#                                                # lib/tokenbroker/plugins
#
# Provides:
#   tokenbroker::plugin_api          interface target: the include directory
#                                    holding tokenbroker/plugin.h
#   TOKENBROKER_PLUGIN_ABI_VERSION   the ABI this header describes
#   TOKENBROKER_PLUGIN_INSTALL_DIR   lib/tokenbroker/plugins, relative to the
#                                    install prefix (the packaged broker
#                                    loads /usr/lib/tokenbroker/plugins)
#   tokenbroker_add_plugin(NAME SOURCES...)
#                                    a MODULE library named NAME.so (no
#                                    "lib"), symbols hidden but the entry
#                                    point, no undefined symbols, and an
#                                    install rule for it
get_filename_component(_tokenbroker_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

if(NOT TARGET tokenbroker::plugin_api)
  add_library(tokenbroker::plugin_api INTERFACE IMPORTED)
  set_target_properties(tokenbroker::plugin_api PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_tokenbroker_prefix}/include")
endif()

file(STRINGS "${_tokenbroker_prefix}/include/tokenbroker/plugin.h" _tokenbroker_abi_line
  REGEX "^#define TOKENBROKER_PLUGIN_ABI_VERSION ")
string(REGEX REPLACE "^#define TOKENBROKER_PLUGIN_ABI_VERSION ([0-9]+).*" "\\1"
  TOKENBROKER_PLUGIN_ABI_VERSION "${_tokenbroker_abi_line}")
set(TOKENBROKER_PLUGIN_INSTALL_DIR lib/tokenbroker/plugins)
unset(_tokenbroker_abi_line)
unset(_tokenbroker_prefix)

function(tokenbroker_add_plugin name)
  add_library(${name} MODULE ${ARGN})
  target_link_libraries(${name} PRIVATE tokenbroker::plugin_api)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    target_link_options(${name} PRIVATE -Wl,--no-undefined)
  endif()
  install(TARGETS ${name} LIBRARY DESTINATION ${TOKENBROKER_PLUGIN_INSTALL_DIR})
endfunction()
