# Helpers for ctnn's own tests.

# A compile test from one source file. A file named ok_*.cpp must compile; any other must fail
# with every regular expression given in its "// expect: REGEX" lines.
function(ctnn_add_compile_test source)
  get_filename_component(name ${source} NAME_WE)
  set(target ctnn_compile_${name})
  add_library(${target} OBJECT EXCLUDE_FROM_ALL ${source})
  target_link_libraries(${target} PRIVATE ctnn::ctnn)
  file(STRINGS ${source} expect_lines REGEX "^// expect: ")
  list(TRANSFORM expect_lines REPLACE "^// expect: " "")
  string(REPLACE ";" "\\;" expected "${expect_lines}")  # keep the list one argument
  if(name MATCHES "^ok_")
    set(mode pass)
  else()
    set(mode fail)
    if(NOT expect_lines)
      message(FATAL_ERROR "${source}: a compile-fail test needs at least one '// expect:' line")
    endif()
  endif()
  add_test(NAME compile.${name}
           COMMAND ${CMAKE_COMMAND} -DBUILD_DIR=${CMAKE_BINARY_DIR} -DTARGET=${target} -DMODE=${mode}
                   "-DEXPECTED=${expect_lines}" -P ${PROJECT_SOURCE_DIR}/cmake/run_compile_test.cmake)
  set_tests_properties(compile.${name} PROPERTIES LABELS compile RESOURCE_LOCK compile_tests)
endfunction()

# One generated translation unit per public header, each including only that header; a second one
# for the headers with an .ipp, under CTNN_SEPARATE_COMPILATION.
function(ctnn_add_header_checks include_dir)
  file(GLOB_RECURSE headers RELATIVE ${include_dir} CONFIGURE_DEPENDS ${include_dir}/ctnn/*.hpp)
  set(sources)
  foreach(header ${headers})
    string(MAKE_C_IDENTIFIER ${header} id)
    set(tu ${CMAKE_CURRENT_BINARY_DIR}/header_check/${id}.cpp)
    file(CONFIGURE OUTPUT ${tu} CONTENT "#include <${header}>\n#include <${header}>  // and its guard\n")
    list(APPEND sources ${tu})
    # A header with run-once code (an .ipp beside it) must also compile as declarations only.
    string(REGEX REPLACE "\\.hpp$" ".ipp" definitions ${header})
    if(EXISTS ${include_dir}/${definitions})
      set(tu ${CMAKE_CURRENT_BINARY_DIR}/header_check/${id}_separate.cpp)
      file(CONFIGURE OUTPUT ${tu} CONTENT "#define CTNN_SEPARATE_COMPILATION\n#include <${header}>\n")
      list(APPEND sources ${tu})
    endif()
  endforeach()
  add_library(ctnn_header_check OBJECT ${sources})
  target_link_libraries(ctnn_header_check PRIVATE ctnn::thrust ctnn_project_options)
endfunction()

# Builds and runs tests/consumer twice: against an installed copy with find_package(ctnn), and
# with add_subdirectory on the source tree.
function(ctnn_add_consumer_tests consumer_dir)
  set(work ${CMAKE_BINARY_DIR}/consumer)
  add_test(NAME consumer.install
           COMMAND ${CMAKE_COMMAND} --install ${CMAKE_BINARY_DIR} --prefix ${work}/prefix)
  add_test(NAME consumer.find_package
           COMMAND ${CMAKE_COMMAND} -DSOURCE=${consumer_dir} -DBINARY=${work}/find_package
                   -DGENERATOR=${CMAKE_GENERATOR} -DARGS=-DCMAKE_PREFIX_PATH=${work}/prefix
                   -P ${PROJECT_SOURCE_DIR}/cmake/run_consumer.cmake)
  add_test(NAME consumer.add_subdirectory
           COMMAND ${CMAKE_COMMAND} -DSOURCE=${consumer_dir} -DBINARY=${work}/add_subdirectory
                   -DGENERATOR=${CMAKE_GENERATOR} -DARGS=-DCTNN_SOURCE_DIR=${PROJECT_SOURCE_DIR}
                   -P ${PROJECT_SOURCE_DIR}/cmake/run_consumer.cmake)
  set_tests_properties(consumer.install PROPERTIES FIXTURES_SETUP ctnn_installed LABELS consumer)
  set_tests_properties(consumer.find_package PROPERTIES FIXTURES_REQUIRED ctnn_installed LABELS consumer)
  set_tests_properties(consumer.add_subdirectory PROPERTIES LABELS consumer)
endfunction()
