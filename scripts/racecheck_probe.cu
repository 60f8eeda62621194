// scripts/racecheck_probe.cu: does compute-sanitizer racecheck model bar.red
// (__syncthreads_and) and bar.arrive/bar.sync pairs as synchronisation? Each
// kernel is race-free by the PTX rules; the chunk-scan kernel relies on both
// (docs/results, "Racecheck"). Not an sse kernel: a probe of the tool.
// Run: bash scripts/gpu_v2_check.sh OUT racecheck-probe
#include <cstdio>
__global__ void viaSync(int *out) {
  __shared__ int s[256];
  s[threadIdx.x] = threadIdx.x;
  __syncthreads();
  out[threadIdx.x] = s[(threadIdx.x + 1) % 256];
}
__global__ void viaRed(int *out) {
  __shared__ int s[256];
  s[threadIdx.x] = threadIdx.x;
  int all = __syncthreads_and(1);
  out[threadIdx.x] = s[(threadIdx.x + 1) % 256] + all;
}
__global__ void viaArrive(int *out) {
  __shared__ int s[256];
  if (threadIdx.x < 128) {
    s[threadIdx.x] = threadIdx.x;
    asm volatile("bar.arrive 1, 256;" ::: "memory");
  } else {
    asm volatile("bar.sync 1, 256;" ::: "memory");
    out[threadIdx.x] = s[threadIdx.x - 128];
  }
}
int main() {
  int *out;
  cudaMalloc(&out, 256 * sizeof(int));
  viaSync<<<1, 256>>>(out);
  viaRed<<<1, 256>>>(out);
  viaArrive<<<1, 256>>>(out);
  printf("done: %s\n", cudaGetErrorString(cudaDeviceSynchronize()));
}
