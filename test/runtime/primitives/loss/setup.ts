/** Shared tfjs setup for the loss tests: the cpu backend, as the conformance runner uses. */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";

export async function useCpu(): Promise<void> {
  await tf.setBackend("cpu");
  await tf.ready();
}

/** Reads a tensor computed inside tf.tidy as nested arrays. */
export function read<T>(f: () => tf.Tensor): T {
  return tf.tidy(() => f().arraySync()) as T;
}
