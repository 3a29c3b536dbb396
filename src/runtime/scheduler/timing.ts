/**
 * Per-step timing. Executor calls are timed by stage (sample, score, train); `timing/overhead` is
 * the rest of the step: batching, evaluation of rewards and advantages, bookkeeping and the
 * scheduler itself. One timer lives for one step, so nothing is shared between steps.
 */
import { Effect } from "effect";

export type Stage = "sample" | "score" | "train";

export class StepTimer {
  private readonly start = performance.now();
  private readonly spent: Record<Stage | "evaluate", number> = { sample: 0, score: 0, train: 0, evaluate: 0 };

  /** Runs `effect` and adds its wall time to `stage`. */
  time<A, E, R>(stage: Stage | "evaluate", effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return Effect.suspend(() => {
      const t0 = performance.now();
      return Effect.ensuring(
        effect,
        Effect.sync(() => {
          this.spent[stage] += performance.now() - t0;
        }),
      );
    });
  }

  /** Seconds per stage, the step, and the overhead outside executor calls. */
  report(): Record<string, number> {
    const step = (performance.now() - this.start) / 1000;
    const s = (ms: number) => ms / 1000;
    const executor = s(this.spent.sample + this.spent.score + this.spent.train);
    const overhead = Math.max(0, step - executor);
    return {
      "timing/sample": s(this.spent.sample),
      "timing/score": s(this.spent.score),
      "timing/train": s(this.spent.train),
      "timing/evaluate": s(this.spent.evaluate),
      "timing/step": step,
      "timing/overhead": overhead,
      "perf/overhead_fraction": step > 0 ? overhead / step : 0,
    };
  }
}
