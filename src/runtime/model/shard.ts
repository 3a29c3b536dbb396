/**
 * The per-thread compute of data-parallel training and sampling: forward/backward over a slice of
 * a batch (keeping the tape between the two), scoring and sampling. The main thread and every
 * worker run the same ShardEngine over their own model replica.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { SeqBatch } from "./encode.js";
import { backward, scoreForward, trainForward, type Tape } from "./network.js";
import { sampleBatch, type SampleRequest, type SampleResult } from "./sampler.js";
import type { TinyLM } from "./tiny-lm.js";

export interface RowStats {
  /** [rows, T] flat. */
  readonly logp: Float32Array;
  readonly entropy: Float32Array;
}

export class NoPendingForward extends Error {
  override readonly name = "NoPendingForward";
}

export class ShardEngine {
  private tape: Tape | undefined;

  constructor(readonly model: TinyLM) {}

  /** Forward pass that keeps its tape for the following `backward`. */
  async forward(seq: SeqBatch, temperature: number): Promise<RowStats> {
    this.dropTape();
    const f = trainForward(this.model.params(), this.model.config, seq, { consts: this.model.consts, temperature });
    this.tape = f.tape;
    return readStats(f.logp, f.entropy);
  }

  /** Gradient (flat, parameter layout order) of sum(dlogp * logp + dent * entropy) for the last forward. */
  async backward(dlogp: Float32Array, dent: Float32Array): Promise<Float32Array> {
    const tape = this.tape;
    if (tape === undefined) throw new NoPendingForward("backward() needs a preceding forward()");
    this.tape = undefined;
    const { batch: B, steps: T } = tape.batch;
    const params = this.model.params();
    const flat = tf.tidy(() => {
      const grads = backward(params, tape, tf.tensor2d(dlogp, [B, T]), tf.tensor2d(dent, [B, T]), this.model.consts);
      const out = tf.concat(this.model.layout.specs.map((s) => tf.reshape(grads.get(s.name)!, [s.size])));
      tf.dispose([...grads.values()]);
      return out;
    });
    tape.dispose();
    try {
      return (await flat.data()) as Float32Array;
    } finally {
      flat.dispose();
    }
  }

  async score(seq: SeqBatch, temperature: number): Promise<RowStats> {
    const f = scoreForward(this.model.params(), this.model.config, seq, { consts: this.model.consts, temperature });
    return readStats(f.logp, f.entropy);
  }

  sample(reqs: readonly SampleRequest[], seed: number, rowOffset: number): Promise<SampleResult[]> {
    return sampleBatch(this.model.params(), this.model.config, this.model.consts, reqs, { seed, rowOffset });
  }

  dropTape(): void {
    this.tape?.dispose();
    this.tape = undefined;
  }
}

async function readStats(logp: tf.Tensor, entropy: tf.Tensor): Promise<RowStats> {
  try {
    const [l, e] = await Promise.all([logp.data(), entropy.data()]);
    return { logp: l as Float32Array, entropy: e as Float32Array };
  } finally {
    tf.dispose([logp, entropy]);
  }
}
