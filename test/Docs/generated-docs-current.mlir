// The op and pass references in docs/ are generated from ODS; this fails
// when they are stale. Refresh them with `ninja -C build sse-doc`.
// RUN: diff %sse_obj/docs/Dialects/SSEOps.md %sse_src/docs/Dialects/SSEOps.md
// RUN: diff %sse_obj/docs/SSEConversionPasses.md %sse_src/docs/Passes/SSEConversionPasses.md
// RUN: diff %sse_obj/docs/SSETransformPasses.md %sse_src/docs/Passes/SSETransformPasses.md
// RUN: diff %sse_obj/docs/Dialects/SSEGPUOps.md %sse_src/docs/Dialects/SSEGPUOps.md
// RUN: diff %sse_obj/docs/SSEGPUPasses.md %sse_src/docs/Passes/SSEGPUPasses.md
