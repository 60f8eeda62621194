//===- SSEEnums.td - Enum attributes of the sse dialect ------*- tablegen -*-===//
//
// The update rule of a scan and the order of softmax and top-k in classify.
//
//===----------------------------------------------------------------------===//

#ifndef SSE_ENUMS_TD
#define SSE_ENUMS_TD

include "sse/Dialect/SSE/IR/SSEDialect.td"
include "mlir/IR/EnumAttr.td"

def SSE_UpdateRule : I32EnumAttr<"UpdateRule", "state update rule of a scan", [
    I32EnumAttrCase<"additive", 0>,
    I32EnumAttrCase<"delta", 1>
  ]> {
  let cppNamespace = "::mlir::sse";
  let genSpecializedAttr = 0;
}

def SSE_UpdateRuleAttr : EnumAttr<SSE_Dialect, SSE_UpdateRule, "rule"> {
  let assemblyFormat = "`<` $value `>`";
}

def SSE_ClassifyOrder : I32EnumAttr<"ClassifyOrder",
    "order of softmax and top-k selection in classify", [
    I32EnumAttrCase<"softmax_then_topk", 0>,
    I32EnumAttrCase<"topk_then_softmax", 1>
  ]> {
  let cppNamespace = "::mlir::sse";
  let genSpecializedAttr = 0;
}

def SSE_ClassifyOrderAttr : EnumAttr<SSE_Dialect, SSE_ClassifyOrder, "order"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // SSE_ENUMS_TD
