# The WebAssembly build's header-only libraries: Debian's nlohmann-json3-dev
# and Boost (Boost.Math), the same headers the native build uses. Emscripten
# looks only in its own sysroot, and /usr/include as a whole would bring
# glibc's headers in, so a folder of the build holds links to those two alone.
set(STAMPEDE_HOST_HEADERS ${CMAKE_BINARY_DIR}/host-headers)
file(MAKE_DIRECTORY ${STAMPEDE_HOST_HEADERS})
foreach(lib nlohmann boost)
  if(NOT EXISTS /usr/include/${lib})
    message(FATAL_ERROR "/usr/include/${lib} is missing: ./dev deps installs it")
  endif()
  file(CREATE_LINK /usr/include/${lib} ${STAMPEDE_HOST_HEADERS}/${lib} SYMBOLIC)
endforeach()
add_library(stampede_host_headers INTERFACE)
target_include_directories(stampede_host_headers SYSTEM INTERFACE ${STAMPEDE_HOST_HEADERS})
add_library(nlohmann_json::nlohmann_json ALIAS stampede_host_headers)
add_library(Boost::headers ALIAS stampede_host_headers)
