//===- SSEAttrs.td - Attributes of the sse dialect -----------*- tablegen -*-===//
//
// #sse.schedule: the tiling decision recorded on a scan (chunk length, key
// and value tiles, work split, grouping of routed tokens).
//
//===----------------------------------------------------------------------===//

#ifndef SSE_ATTRS_TD
#define SSE_ATTRS_TD

include "sse/Dialect/SSE/IR/SSEEnums.td"
include "mlir/IR/AttrTypeBase.td"

def SSE_ScheduleAttr : AttrDef<SSE_Dialect, "Schedule"> {
  let mnemonic = "schedule";
  let summary = "how a scan is tiled and split into work items";
  let description = [{
    Recorded on `sse.scan` by `sse-tile` (from the cost model or options) or
    by `transform.sse.tile`. A scan with a schedule is in tiled form: the
    lowerings follow it.

    * `chunk`: tokens per chunk (C), a power of two in [16, 256];
    * `k_tile`, `v_tile`: rows and columns of the `K x V` state one work
      item holds (each divides K resp. V);
    * `split`: `recurrent` (one work item per (sequence, head, partition,
      V tile), walking chunks in order with the state on chip) or `chunked`
      (chunk states in parallel, a short scan over chunk boundaries, a
      parallel output pass);
    * `grouping`: `dense` (every partition visits every token and skips
      unselected ones) or `sorted` (tokens grouped by partition through
      counts, prefix sums and a permutation, computed on the device).

    ```text
    #sse.schedule<chunk = 64, k_tile = 128, v_tile = 64, split = recurrent, grouping = sorted>
    ```
  }];
  let parameters = (ins "int64_t":$chunk, "int64_t":$k_tile,
                        "int64_t":$v_tile, "WorkSplit":$split,
                        "Grouping":$grouping);
  let assemblyFormat = "`<` struct(params) `>`";
}

#endif // SSE_ATTRS_TD
