# ctnn::compiled: ctnn::ctnn with its run-once code and its element-type-only CPU kernels (the
# GEMM) compiled once, in this static library, rather than in every translation unit that
# includes them (CTNN_SEPARATE_COMPILATION; see include/ctnn/config.hpp). It is built in the
# using project, with that project's compiler and flags, from CTNN_COMPILED_SOURCE, so the
# installed package stays header-only and architecture-independent. Included by CMakeLists.txt and by the installed ctnnConfig.cmake.
if(NOT TARGET ctnn_compiled)
  add_library(ctnn_compiled STATIC EXCLUDE_FROM_ALL ${CTNN_COMPILED_SOURCE})
  add_library(ctnn::compiled ALIAS ctnn_compiled)
  target_compile_definitions(ctnn_compiled PUBLIC CTNN_SEPARATE_COMPILATION)
  target_link_libraries(ctnn_compiled PUBLIC ctnn::ctnn)
endif()
