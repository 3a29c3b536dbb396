/**
 * Gradient rules for the tfjs kernels the losses use. The @tensorflow/tfjs-core package registers
 * its gradients only through an ES-module file Node cannot load (extensionless imports), and the
 * union package that would do it is not a dependency; without these, tf.grad through a loss fails
 * with "gradient function not found". The rules follow tfjs-core's own gradient definitions
 * (same tie-breaking for maximum/minimum). Rules already registered by someone else are kept.
 */
import * as tf from "@tensorflow/tfjs-core";

type Saved = tf.Tensor[];
type Grads = Record<string, () => tf.Tensor>;

/** Sums a broadcast gradient back to the shape of the operand it came from. */
function unbroadcast(grad: tf.Tensor, shape: number[], outShape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, outShape);
  return tf.reshape(axes.length > 0 ? tf.sum(grad, axes) : grad, shape);
}

function binary(kernelName: string, rule: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => [tf.Tensor, tf.Tensor]): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, saved: Saved): Grads => {
      const [a, b] = saved as [tf.Tensor, tf.Tensor];
      const g = dy as tf.Tensor;
      const out = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      return {
        a: () => unbroadcast(rule(g, a, b)[0], a.shape, out),
        b: () => unbroadcast(rule(g, a, b)[1], b.shape, out),
      };
    },
  };
}

/** A one-input kernel; `input` is the kernel's input name ("x" for most, "input" for ExpandDims). */
function unary(
  kernelName: string,
  rule: (dy: tf.Tensor, x: tf.Tensor) => tf.Tensor,
  save: "input" | "output" = "input",
  input = "x",
): tf.GradConfig {
  return {
    kernelName,
    ...(save === "input" ? { inputsToSave: [input] } : { outputsToSave: [true] }),
    gradFunc: (dy, saved: Saved): Grads => ({ [input]: () => rule(dy as tf.Tensor, saved[0]!) }),
  };
}

const f32 = (t: tf.Tensor): tf.Tensor => tf.cast(t, "float32");

const RULES: readonly tf.GradConfig[] = [
  binary(tf.Add, (dy) => [dy, dy]),
  binary(tf.Sub, (dy) => [dy, tf.neg(dy)]),
  binary(tf.Multiply, (dy, a, b) => [tf.mul(dy, f32(b)), tf.mul(dy, f32(a))]),
  binary(tf.RealDiv, (dy, a, b) => [tf.div(dy, f32(b)), tf.neg(tf.div(tf.mul(dy, f32(a)), f32(tf.square(b))))]),
  // Ties send the whole gradient to `a`, as tfjs-core does.
  binary(tf.Maximum, (dy, a, b) => [tf.mul(dy, f32(tf.greaterEqual(a, b))), tf.mul(dy, f32(tf.less(a, b)))]),
  binary(tf.Minimum, (dy, a, b) => [tf.mul(dy, f32(tf.lessEqual(a, b))), tf.mul(dy, f32(tf.greater(a, b)))]),
  unary(tf.Neg, (dy) => tf.neg(dy)),
  unary(tf.Exp, (dy, y) => tf.mul(dy, y), "output"),
  unary(tf.Expm1, (dy, x) => tf.mul(dy, tf.exp(x))),
  unary(tf.Square, (dy, x) => tf.mul(dy, tf.mul(f32(x), 2))),
  unary(tf.Sigmoid, (dy, y) => tf.mul(dy, tf.mul(y, tf.sub(1, y))), "output"),
  unary(tf.Sign, (dy) => tf.zerosLike(dy)),
  unary(tf.ZerosLike, (dy) => tf.zerosLike(dy)),
  unary(tf.Identity, (dy) => f32(dy)),
  unary(tf.Cast, (dy) => tf.clone(dy)),
  unary(tf.Reshape, (dy, x) => tf.reshape(dy, x.shape)),
  unary(tf.ExpandDims, (dy, x) => tf.reshape(dy, x.shape), "input", "input"),
  {
    kernelName: tf.ClipByValue,
    inputsToSave: ["x"],
    gradFunc: (dy, saved: Saved, attrs): Grads => {
      const { clipValueMin, clipValueMax } = attrs as unknown as { clipValueMin: number; clipValueMax: number };
      const x = saved[0]!;
      const inside = tf.logicalAnd(tf.greaterEqual(x, clipValueMin), tf.lessEqual(x, clipValueMax));
      return { x: () => tf.where(inside, dy as tf.Tensor, tf.zerosLike(dy as tf.Tensor)) };
    },
  },
  {
    kernelName: tf.Select,
    inputsToSave: ["condition"],
    gradFunc: (dy, saved: Saved): Grads => {
      const cond = saved[0]!;
      const g = dy as tf.Tensor;
      return {
        condition: () => f32(tf.zerosLike(cond)),
        t: () => tf.mul(g, tf.cast(cond, g.dtype)),
        e: () => tf.mul(g, tf.cast(tf.logicalNot(cond), g.dtype)),
      };
    },
  },
  {
    kernelName: tf.Sum,
    inputsToSave: ["x"],
    gradFunc: (dy, saved: Saved, attrs): Grads => {
      const x = saved[0]!;
      const axes = tf.util.parseAxisParam((attrs as unknown as { axis: number | number[] }).axis, x.shape);
      const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
      return { x: () => tf.mul(tf.reshape(dy as tf.Tensor, kept), tf.ones(x.shape, "float32")) };
    },
  },
  {
    kernelName: tf.UnsortedSegmentSum,
    inputsToSave: ["segmentIds"],
    // Segment ids are non-negative here, so the gradient of each row is its segment's gradient.
    gradFunc: (dy, saved: Saved): Grads => ({ x: () => tf.gather(dy as tf.Tensor, saved[0]!) }),
  },
];

/** Registers the rules above for every kernel that has no gradient yet; safe to call repeatedly. */
export function ensureLossGradients(): void {
  for (const rule of RULES) {
    if (tf.getGradient(rule.kernelName) === undefined) tf.registerGradient(rule);
  }
}
