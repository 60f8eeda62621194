# SSE_STATIC_TOOLS: link against the static LLVM/MLIR archives.
#
# Debian's LLVM/MLIR exports libMLIR.so and libLLVM.so as the imported
# targets `MLIR` and `LLVM`, and its static MLIR archives name them in their
# INTERFACE_LINK_LIBRARIES (they were built with LLVM_LINK_LLVM_DYLIB). Our
# libraries link `MLIR` too. Rather than fork every CMakeLists.txt, this
# rewires the two imported targets: each now "is" an empty archive whose
# interface lists the static libraries, so everything linking `MLIR` or
# `LLVM` links the archives instead. lld pulls only the archive members that
# are referenced, and --gc-sections drops unused functions, so the lists may
# be generous; what is not referenced costs link time, not size.

# LLVM: every component library except other targets' backends and
# libraries of tools (TableGen, BOLT, exegesis, Extensions = Polly, ...) or with system
# dependencies we do not want (libedit, libxml2, libcurl).
set(SSE_LLVM_STATIC_LIBS)
foreach(lib ${LLVM_AVAILABLE_LIBS})
  if(NOT lib MATCHES "^LLVM[A-Z]" OR NOT TARGET ${lib})
    continue()
  endif()
  if(lib MATCHES "^LLVM(AArch64|ARM|AVR|BPF|Hexagon|Lanai|LoongArch|Mips|MSP430|PowerPC|RISCV|Sparc|SystemZ|VE|WebAssembly|XCore|M68k|Xtensa)[A-Z]")
    continue()
  endif()
  if(lib MATCHES "^LLVM(BOLT|Exegesis|TableGen|Fuzz|FileCheck|LineEditor|WindowsManifest|WindowsDriver|Debuginfod|OptDriver|CFIVerify|Diff|DWARFLinker|DWP|DlltoolDriver|LibDriver|ObjCopy|ObjectYAML|MCA|SupportLSP|XRay|Telemetry|InterfaceStub|DTLTO|LTO|Extensions)")
    continue()
  endif()
  list(APPEND SSE_LLVM_STATIC_LIBS ${lib})
endforeach()

# LLVMSupport links libz3 (LLVM_WITH_Z3) for the SMT solver API, which
# nothing here calls; keep it out so the binary does not need libz3. It also
# names zstd::libzstd_shared, which LLVMConfig's find_package(zstd) defines
# only when zstd's headers are installed; the run-time library suffices.
get_target_property(_sse_support_libs LLVMSupport INTERFACE_LINK_LIBRARIES)
list(FILTER _sse_support_libs EXCLUDE REGEX "z3")
if(NOT TARGET zstd::libzstd_shared)
  find_package(zstd QUIET)
endif()
if(NOT TARGET zstd::libzstd_shared)
  find_library(SSE_ZSTD_LIBRARY NAMES zstd libzstd.so.1)
  if(SSE_ZSTD_LIBRARY)
    add_library(zstd::libzstd_shared SHARED IMPORTED)
    set_target_properties(zstd::libzstd_shared PROPERTIES
      IMPORTED_LOCATION "${SSE_ZSTD_LIBRARY}")
  else()
    list(REMOVE_ITEM _sse_support_libs zstd::libzstd_shared)
  endif()
endif()
set_target_properties(LLVMSupport PROPERTIES
  INTERFACE_LINK_LIBRARIES "${_sse_support_libs}")

# MLIR: the dialect, conversion, extension and translation libraries (not
# the test ones), the registration and JIT libraries. Their own interfaces
# bring in the core libraries (IR, Pass, Parser, ...).
set(SSE_MLIR_STATIC_LIBS)
foreach(prop MLIR_DIALECT_LIBS MLIR_CONVERSION_LIBS MLIR_EXTENSION_LIBS
        MLIR_TRANSLATION_LIBS)
  get_property(_sse_libs GLOBAL PROPERTY ${prop})
  list(APPEND SSE_MLIR_STATIC_LIBS ${_sse_libs})
endforeach()
list(APPEND SSE_MLIR_STATIC_LIBS
  MLIRRegisterAllDialects MLIRRegisterAllExtensions MLIRRegisterAllPasses
  MLIRExecutionEngine MLIRExecutionEngineUtils MLIRTargetLLVM
  MLIRTargetLLVMIRExport MLIRNVVMTarget MLIRParser MLIRPass MLIRTransforms)
list(FILTER SSE_MLIR_STATIC_LIBS EXCLUDE REGEX "Test")
list(REMOVE_DUPLICATES SSE_MLIR_STATIC_LIBS)

# A few static MLIR libraries (MLIRExecutionEngine, ...) name `MLIR` itself;
# drop it there (the full list is on the link line anyway), so that the
# rewired `MLIR` below is not part of a dependency cycle.
foreach(lib ${MLIR_EXPORTED_TARGETS})
  if(NOT TARGET ${lib})
    continue()
  endif()
  get_target_property(_sse_type ${lib} TYPE)
  if(NOT _sse_type STREQUAL "STATIC_LIBRARY")
    continue()
  endif()
  get_target_property(_sse_deps ${lib} INTERFACE_LINK_LIBRARIES)
  if(_sse_deps AND "MLIR" IN_LIST _sse_deps)
    list(REMOVE_ITEM _sse_deps MLIR)
    set_target_properties(${lib} PROPERTIES INTERFACE_LINK_LIBRARIES "${_sse_deps}")
  endif()
endforeach()

# The two dylib targets become empty archives with the static lists.
set(SSE_EMPTY_ARCHIVE "${CMAKE_BINARY_DIR}/lib/libsse_static_empty.a")
file(WRITE "${SSE_EMPTY_ARCHIVE}" "!<arch>\n")
foreach(dylib LLVM MLIR)
  get_target_property(_sse_configs ${dylib} IMPORTED_CONFIGURATIONS)
  set_target_properties(${dylib} PROPERTIES IMPORTED_LOCATION "${SSE_EMPTY_ARCHIVE}")
  foreach(config ${_sse_configs})
    set_target_properties(${dylib} PROPERTIES
      IMPORTED_LOCATION_${config} "${SSE_EMPTY_ARCHIVE}"
      IMPORTED_SONAME_${config} "")
  endforeach()
endforeach()
set_target_properties(LLVM PROPERTIES
  INTERFACE_LINK_LIBRARIES "${SSE_LLVM_STATIC_LIBS}")
set_target_properties(MLIR PROPERTIES
  INTERFACE_LINK_LIBRARIES "${SSE_MLIR_STATIC_LIBS};LLVM")

list(LENGTH SSE_LLVM_STATIC_LIBS _sse_n_llvm)
list(LENGTH SSE_MLIR_STATIC_LIBS _sse_n_mlir)
message(STATUS "SSE_STATIC_TOOLS: linking ${_sse_n_mlir} MLIR and "
               "${_sse_n_llvm} LLVM static libraries (and what they need)")

# Only link what is used; strip nothing here (the pack script strips).
add_link_options(-Wl,--as-needed)
