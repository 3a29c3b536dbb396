/**
 * Gradient functions for the kernels a loss over log-probs is written with.
 *
 * tfjs-core's own gradient registrations (dist/register_all_gradients) are only wired in by the
 * umbrella @tensorflow/tfjs package and cannot be imported under Node ESM (extension-less imports),
 * so tf.grad over core ops fails with "gradient function not found". These are the standard
 * derivatives, registered only for kernels that have none yet, so a registration from the umbrella
 * package (if the user loads it) is kept.
 */
import * as tf from "@tensorflow/tfjs-core";

type Attrs = Record<string, unknown>;
type Saved = tf.Tensor[];
type Ders = Record<string, () => tf.Tensor>;

interface Grad {
  readonly kernelName: string;
  readonly inputsToSave?: string[];
  readonly outputsToSave?: boolean[];
  readonly saveAllInputs?: boolean;
  readonly gradFunc: (dy: tf.Tensor, saved: Saved, attrs: Attrs) => Ders;
}

interface MultiGrad {
  readonly kernelName: string;
  readonly gradFunc: (dy: tf.Tensor[], saved: Saved, attrs: Attrs) => Ders;
}

/** Sums dy over the axes that were broadcast to reach it, back to `shape`. */
function unbroadcast(dy: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.broadcast_util.getReductionAxes(shape, dy.shape);
  return axes.length > 0 ? tf.reshape(tf.sum(dy, axes), shape) : dy;
}

const f32 = (t: tf.Tensor) => tf.cast(t, "float32");
const zero = (x: tf.Tensor) => tf.zerosLike(x);

/** d/da and d/db of an elementwise binary op given the local derivatives (before unbroadcast). */
function binary(kernelName: string, da: (a: tf.Tensor, b: tf.Tensor, dy: tf.Tensor) => tf.Tensor, db: (a: tf.Tensor, b: tf.Tensor, dy: tf.Tensor) => tf.Tensor): Grad {
  return {
    kernelName,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, [a, b]) => ({
      a: () => unbroadcast(da(a!, b!, dy), a!.shape),
      b: () => unbroadcast(db(a!, b!, dy), b!.shape),
    }),
  };
}

/** Elementwise unary op whose derivative is a function of its input x. */
function unaryX(kernelName: string, d: (x: tf.Tensor, dy: tf.Tensor) => tf.Tensor): Grad {
  return { kernelName, inputsToSave: ["x"], gradFunc: (dy, [x]) => ({ x: () => d(x!, dy) }) };
}

/** Elementwise unary op whose derivative is a function of its output y. */
function unaryY(kernelName: string, d: (y: tf.Tensor, dy: tf.Tensor) => tf.Tensor): Grad {
  return { kernelName, outputsToSave: [true], gradFunc: (dy, [y]) => ({ x: () => d(y!, dy) }) };
}

/** Piecewise-constant ops: zero gradient. */
function flat(kernelName: string): Grad {
  return { kernelName, gradFunc: (dy) => ({ x: () => zero(dy) }) };
}

/** Comparisons and logical ops: zero gradient for both inputs (their outputs are boolean). */
function flatBinary(kernelName: string): Grad {
  return { kernelName, inputsToSave: ["a", "b"], gradFunc: (_dy, [a, b]) => ({ a: () => f32(zero(a!)), b: () => f32(zero(b!)) }) };
}

/** Index-valued or boolean unary ops: zero gradient. */
function flatX(kernelName: string): Grad {
  return { kernelName, inputsToSave: ["x"], gradFunc: (_dy, [x]) => ({ x: () => f32(zero(x!)) }) };
}

function reductionAxes(attrs: Attrs, key: string, x: tf.Tensor): number[] {
  return tf.util.parseAxisParam(attrs[key] as number | number[], x.shape);
}

function keepDimsShape(x: tf.Tensor, axes: number[]): number[] {
  const s = x.shape.slice();
  for (const a of axes) s[a] = 1;
  return s;
}

function minMax(kernelName: string, axisKey: string): Grad {
  return {
    kernelName,
    inputsToSave: ["x"],
    outputsToSave: [true],
    gradFunc: (dy, [x, y], attrs) => {
      const shape = keepDimsShape(x!, reductionAxes(attrs, axisKey, x!));
      return { x: () => tf.mul(tf.reshape(dy, shape), f32(tf.equal(x!, tf.reshape(y!, shape)))) };
    },
  };
}

const GRADS: readonly Grad[] = [
  binary("Add", (_a, _b, dy) => dy, (_a, _b, dy) => dy),
  binary("Sub", (_a, _b, dy) => dy, (_a, _b, dy) => tf.neg(dy)),
  binary("Multiply", (_a, b, dy) => tf.mul(dy, f32(b)), (a, _b, dy) => tf.mul(dy, f32(a))),
  binary("RealDiv", (_a, b, dy) => tf.div(dy, f32(b)), (a, b, dy) => tf.neg(tf.div(tf.mul(dy, f32(a)), f32(tf.square(b))))),
  binary("Maximum", (a, b, dy) => tf.mul(dy, f32(tf.greaterEqual(a, b))), (a, b, dy) => tf.mul(dy, f32(tf.less(a, b)))),
  binary("Minimum", (a, b, dy) => tf.mul(dy, f32(tf.lessEqual(a, b))), (a, b, dy) => tf.mul(dy, f32(tf.greater(a, b)))),
  binary("SquaredDifference", (a, b, dy) => tf.mul(dy, tf.mul(2, tf.sub(a, b))), (a, b, dy) => tf.mul(dy, tf.mul(2, tf.sub(b, a)))),
  {
    kernelName: "Pow",
    inputsToSave: ["a", "b"],
    outputsToSave: [true],
    gradFunc: (dy, [a, b, y]) => ({
      a: () => unbroadcast(tf.mul(dy, tf.mul(f32(b!), tf.pow(a!, tf.sub(f32(b!), 1)))), a!.shape),
      b: () => unbroadcast(tf.mul(dy, tf.mul(y!, tf.where(tf.greater(a!, 0), tf.log(a!), tf.zerosLike(a!)))), b!.shape),
    }),
  },
  unaryX("Neg", (_x, dy) => tf.neg(dy)),
  unaryY("Exp", (y, dy) => tf.mul(dy, y)),
  unaryX("Log", (x, dy) => tf.div(dy, f32(x))),
  unaryX("Log1p", (x, dy) => tf.div(dy, tf.add(x, 1))),
  unaryX("Expm1", (x, dy) => tf.mul(dy, tf.exp(x))),
  unaryX("Sqrt", (x, dy) => tf.div(dy, tf.mul(tf.sqrt(f32(x)), 2))),
  unaryX("Rsqrt", (x, dy) => tf.neg(tf.div(dy, tf.mul(tf.pow(x, 1.5), 2)))),
  unaryX("Square", (x, dy) => tf.mul(dy, tf.mul(f32(x), 2))),
  unaryX("Reciprocal", (x, dy) => tf.neg(tf.div(dy, tf.square(x)))),
  unaryX("Abs", (x, dy) => tf.mul(dy, tf.step(f32(x), -1))),
  unaryX("Relu", (x, dy) => tf.mul(dy, f32(tf.step(x)))),
  unaryY("Sigmoid", (y, dy) => tf.mul(dy, tf.mul(y, tf.sub(1, y)))),
  unaryY("Tanh", (y, dy) => tf.mul(tf.sub(1, tf.square(y)), dy)),
  unaryX("Softplus", (x, dy) => tf.mul(dy, tf.sigmoid(x))),
  unaryX("Sin", (x, dy) => tf.mul(tf.cos(f32(x)), dy)),
  unaryX("Cos", (x, dy) => tf.mul(tf.neg(tf.sin(f32(x))), dy)),
  flat("Sign"),
  flat("Floor"),
  flat("Ceil"),
  flat("Round"),
  flat("Step"),
  flat("ZerosLike"),
  flat("OnesLike"),
  ...["Greater", "GreaterEqual", "Less", "LessEqual", "Equal", "NotEqual", "LogicalAnd", "LogicalOr"].map(flatBinary),
  ...["LogicalNot", "IsNan", "IsFinite", "IsInf", "ArgMax", "ArgMin"].map(flatX),
  { kernelName: "Cast", gradFunc: (dy) => ({ x: () => tf.clone(dy) }) },
  { kernelName: "Identity", gradFunc: (dy) => ({ x: () => f32(dy) }) },
  {
    kernelName: "ClipByValue",
    inputsToSave: ["x"],
    gradFunc: (dy, [x], attrs) => ({
      x: () =>
        tf.where(
          tf.logicalAnd(tf.greaterEqual(x!, attrs["clipValueMin"] as number), tf.lessEqual(x!, attrs["clipValueMax"] as number)),
          dy,
          tf.zerosLike(dy),
        ),
    }),
  },
  {
    kernelName: "Select",
    inputsToSave: ["condition"],
    gradFunc: (dy, [c]) => ({
      condition: () => f32(tf.zerosLike(c!)),
      t: () => tf.mul(dy, tf.cast(c!, dy.dtype)),
      e: () => tf.mul(dy, tf.cast(tf.logicalNot(c!), dy.dtype)),
    }),
  },
  {
    kernelName: "Sum",
    inputsToSave: ["x"],
    gradFunc: (dy, [x], attrs) => ({
      x: () => tf.mul(tf.reshape(dy, keepDimsShape(x!, reductionAxes(attrs, "axis", x!))), tf.ones(x!.shape, "float32")),
    }),
  },
  {
    kernelName: "Mean",
    inputsToSave: ["x"],
    gradFunc: (dy, [x], attrs) => {
      const axes = reductionAxes(attrs, "axis", x!);
      const count = axes.reduce((n, a) => n * x!.shape[a]!, 1);
      return { x: () => tf.div(tf.mul(tf.reshape(dy, keepDimsShape(x!, axes)), tf.ones(x!.shape, "float32")), count) };
    },
  },
  minMax("Max", "reductionIndices"),
  minMax("Min", "axis"),
  {
    kernelName: "Softmax",
    outputsToSave: [true],
    gradFunc: (dy, [y], attrs) => {
      const dyy = tf.mul(dy, y!);
      return { logits: () => tf.sub(dyy, tf.mul(tf.sum(dyy, [attrs["dim"] as number], true), y!)) };
    },
  },
  { kernelName: "Reshape", inputsToSave: ["x"], gradFunc: (dy, [x]) => ({ x: () => tf.reshape(dy, x!.shape) }) },
  { kernelName: "ExpandDims", inputsToSave: ["input"], gradFunc: (dy, [x]) => ({ input: () => tf.reshape(dy, x!.shape) }) },
  {
    kernelName: "Transpose",
    gradFunc: (dy, _s, attrs) => {
      const perm = attrs["perm"] as number[];
      const undo = perm.map((_, i) => perm.indexOf(i));
      return { x: () => tf.transpose(dy, undo) };
    },
  },
  {
    kernelName: "Slice",
    inputsToSave: ["x"],
    gradFunc: (dy, [x], attrs) => {
      const [begin, size] = tf.slice_util.parseSliceParams(x!, attrs["begin"] as number[], attrs["size"] as number[]);
      const pads = x!.shape.map((n, i) => [begin[i]!, n - begin[i]! - size[i]!] as [number, number]);
      return { x: () => tf.pad(dy, pads) };
    },
  },
  {
    kernelName: "Tile",
    inputsToSave: ["x"],
    gradFunc: (dy, [x], attrs) => {
      const reps = attrs["reps"] as number[];
      // Fold every tiled axis into a (reps, size) pair and sum over the reps.
      const split: number[] = [];
      x!.shape.forEach((n, i) => split.push(reps[i]!, n));
      const axes = reps.map((_, i) => 2 * i);
      return { x: () => tf.reshape(tf.sum(tf.reshape(dy, split), axes), x!.shape) };
    },
  },
  {
    kernelName: "BroadcastTo",
    gradFunc: (dy, _s, attrs) => {
      const inShape = attrs["inputShape"] as number[];
      const outShape = attrs["shape"] as number[];
      const lead = outShape.length - inShape.length;
      const axes = outShape.map((_, i) => i).filter((i) => i < lead || inShape[i - lead] !== outShape[i]);
      return { x: () => tf.reshape(tf.sum(dy, axes), inShape) };
    },
  },
  {
    kernelName: "Concat",
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const axis = tf.util.parseAxisParam(attrs["axis"] as number, saved[0]!.shape)[0]!;
      const parts = tf.split(dy, saved.map((t) => t.shape[axis]!), axis);
      return Object.fromEntries(parts.map((t, i) => [String(i), () => t]));
    },
  },
  {
    kernelName: "Pack",
    saveAllInputs: true,
    gradFunc: (dy, _s, attrs) => Object.fromEntries(tf.unstack(dy, attrs["axis"] as number).map((t, i) => [String(i), () => t])),
  },
  {
    kernelName: "AddN",
    saveAllInputs: true,
    gradFunc: (dy, saved) => Object.fromEntries(saved.map((_, i) => [String(i), () => tf.clone(dy)])),
  },
  {
    kernelName: "BatchMatMul",
    inputsToSave: ["a", "b"],
    gradFunc: (dy, [a, b], attrs) => {
      const ta = attrs["transposeA"] as boolean;
      const tb = attrs["transposeB"] as boolean;
      if (!ta && !tb) return { a: () => tf.matMul(dy, b!, false, true), b: () => tf.matMul(a!, dy, true, false) };
      if (!ta && tb) return { a: () => tf.matMul(dy, b!), b: () => tf.matMul(dy, a!, true, false) };
      if (ta && !tb) return { a: () => tf.matMul(b!, dy, false, true), b: () => tf.matMul(a!, dy) };
      return { a: () => tf.matMul(b!, dy, true, true), b: () => tf.matMul(dy, a!, true, true) };
    },
  },
];

const MULTI_GRADS: readonly MultiGrad[] = [
  { kernelName: "SplitV", gradFunc: (dy, _s, attrs) => ({ x: () => tf.concat(dy, attrs["axis"] as number) }) },
  { kernelName: "Unpack", gradFunc: (dy, _s, attrs) => ({ value: () => tf.stack(dy, attrs["axis"] as number) }) },
];

/** Registers the gradients above for kernels that have none. Idempotent. */
export function ensureGradients(): void {
  for (const g of [...GRADS, ...MULTI_GRADS]) {
    if (tf.getGradient(g.kernelName) !== undefined) continue;
    tf.registerGradient(g as unknown as Parameters<typeof tf.registerGradient>[0]);
  }
}

/** Kernel names covered by ensureGradients (documentation and tests). */
export const GRADIENT_KERNELS: readonly string[] = [...GRADS, ...MULTI_GRADS].map((g) => g.kernelName);
