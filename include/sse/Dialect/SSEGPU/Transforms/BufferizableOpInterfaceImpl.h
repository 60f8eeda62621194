//===- BufferizableOpInterfaceImpl.h - sse_gpu in bufferization -*- C++ -*-===//
//
// Registers the destination-passing-style bufferization of the sse_gpu ops:
// one-shot bufferization turns each op on tensors into the same op on the
// buffers of its operands, writing its destinations in place.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_DIALECT_SSEGPU_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H
#define SSE_DIALECT_SSEGPU_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H

namespace mlir {
class DialectRegistry;
namespace sse_gpu {
void registerBufferizableOpInterfaceExternalModels(DialectRegistry &registry);
} // namespace sse_gpu
} // namespace mlir

#endif // SSE_DIALECT_SSEGPU_TRANSFORMS_BUFFERIZABLEOPINTERFACEIMPL_H
