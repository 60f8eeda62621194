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

def SSE_WorkSplit : I32EnumAttr<"WorkSplit",
    "how the work of a scan is split into parallel items", [
    // One work item per (sequence, head, partition, V tile) walking the
    // chunks in order with its state on chip.
    I32EnumAttrCase<"recurrent", 0>,
    // Chunk states in parallel, a short scan over chunk boundaries, then a
    // parallel output pass: for few work items and long T.
    I32EnumAttrCase<"chunked", 1>
  ]> {
  let cppNamespace = "::mlir::sse";
  let genSpecializedAttr = 0;
}

def SSE_WorkSplitAttr : EnumAttr<SSE_Dialect, SSE_WorkSplit, "split"> {
  let assemblyFormat = "`<` $value `>`";
}

def SSE_Grouping : I32EnumAttr<"Grouping",
    "how routed tokens reach their partition", [
    // Every partition visits every token and skips the unselected ones.
    I32EnumAttrCase<"dense", 0>,
    // Tokens are grouped by partition (counts, prefix sums, permutation)
    // and every partition visits only its own tokens.
    I32EnumAttrCase<"sorted", 1>
  ]> {
  let cppNamespace = "::mlir::sse";
  let genSpecializedAttr = 0;
}

def SSE_GroupingAttr : EnumAttr<SSE_Dialect, SSE_Grouping, "grouping"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // SSE_ENUMS_TD
