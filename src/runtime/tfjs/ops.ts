/**
 * Tensor primitives written around tfjs-wasm's fast paths (see docs/backends.md).
 *
 * tfjs-wasm runs a matmul on XNNPACK only when both operands are plain, non-transposed 2-D
 * matrices; every other form (transposed operands, batched 3-D) falls back to a scalar loop that is
 * 10-20x slower. A batched matmul is therefore expressed as a depthwise convolution (which XNNPACK
 * runs as a grouped GEMM), sums over rows as a matmul with a row of ones, and 2-D transposes as 3-D
 * ones (the wasm kernel is 2-3x faster for those).
 */
import * as tf from "@tensorflow/tfjs-core";

/**
 * Caches constant tensors (rows of ones, attention masks) per shape so that each step does not
 * rebuild them. Owned by whoever runs the model; `dispose()` frees everything.
 */
export class ConstCache {
  private readonly tensors = new Map<string, tf.Tensor>();

  get<T extends tf.Tensor>(key: string, make: () => T): T {
    const hit = this.tensors.get(key);
    if (hit !== undefined) return hit as T;
    const made = tf.keep(tf.tidy(make));
    this.tensors.set(key, made);
    return made;
  }

  ones(n: number): tf.Tensor2D {
    return this.get(`ones:${n}`, () => tf.ones([1, n]) as tf.Tensor2D);
  }

  get size(): number {
    return this.tensors.size;
  }

  dispose(): void {
    for (const t of this.tensors.values()) t.dispose();
    this.tensors.clear();
  }
}

/** Transpose of a 2-D matrix, routed through a 3-D transpose when the row count allows it. */
export function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
  const [r, c] = x.shape;
  if (r % 2 !== 0 || r < 4) return tf.transpose(x);
  const t3 = tf.transpose(tf.reshape(x, [2, r / 2, c]), [2, 0, 1]);
  return tf.reshape(t3, [c, r]);
}

/**
 * x [rows, cols] -> column sums [cols], as ones[1, rows] @ x (an XNNPACK matmul, not a reduction
 * over axis 0, which tfjs-wasm runs 4x slower). Cheapest when x was just the right operand of
 * another matmul: XNNPACK then reuses its packed copy of x.
 */
export function colSum(x: tf.Tensor2D, consts: ConstCache): tf.Tensor1D {
  const [r, c] = x.shape;
  return tf.reshape(tf.matMul(consts.ones(r), x), [c]);
}

/** Column sums of a fresh x: transpose, then a last-axis reduction (3x cheaper than packing x). */
export function colSumFresh(x: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(transpose2d(x), -1);
}

/**
 * Batched matmul out[m, g, n] = sum_k a[k, m, g] * b[k, g, n] as one depthwise convolution:
 * input [1, K, M, G] (G channels), filter [K, 1, G, N] (channel multiplier N), output [1, 1, M, G*N].
 * Layouts are chosen by the caller so that no operand needs a transpose wider than 4-D.
 */
export function groupedMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const [k, m, g] = a.shape;
  const [kb, gb, n] = b.shape;
  if (k !== kb || g !== gb) throw new Error(`groupedMatMul: shapes [${a.shape}] and [${b.shape}] do not match`);
  const out = tf.depthwiseConv2d(tf.reshape(a, [1, k, m, g]) as tf.Tensor4D, tf.reshape(b, [k, 1, g, n]) as tf.Tensor4D, 1, "valid");
  return tf.reshape(out, [m, g, n]);
}
