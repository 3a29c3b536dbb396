/**
 * Selection and initialisation of the TensorFlow.js backend that runs the embedded model.
 *
 * Every backend package is imported dynamically, only when asked for: the optional ones (webgpu,
 * tfjs-node) are not dependencies of rlp and may be missing.
 */
import { availableParallelism } from "node:os";
import * as tf from "@tensorflow/tfjs-core";
import { BackendUnavailable } from "./errors.js";
import { ensureGradients } from "./gradients.js";
import { installWebGpu, type WebGpuOptions } from "./webgpu.js";

export { BackendUnavailable };

export type BackendName = "wasm" | "cpu" | "webgpu" | "tensorflow";

export const BACKEND_NAMES: readonly BackendName[] = ["wasm", "cpu", "webgpu", "tensorflow"];

export interface BackendInfo {
  readonly name: BackendName;
  /** Whether the wasm backend runs its SIMD build (false for the others). */
  readonly simd: boolean;
  /** Compute threads of the backend inside this process (1 for wasm in Node: tfjs disables threads there). */
  readonly threads: number;
  /** Whether tensor reads must be asynchronous (`await t.data()`): true for webgpu. */
  readonly asyncReadsOnly: boolean;
  /** Human-readable device (adapter, CPU, ...). */
  readonly device: string;
  readonly tfjsVersion: string;
}

export interface InitOptions {
  readonly webgpu?: WebGpuOptions;
}

const TF_NODE_HELP =
  "npm install @tensorflow/tfjs-node-gpu@4.22.0 (NVIDIA GPU, needs CUDA 11.2 and cuDNN 8.1 on the loader path) or " +
  "@tensorflow/tfjs-node@4.22.0 (CPU). Both download libtensorflow 2.9.1 from Google storage at install time, so " +
  "they cannot be installed offline; see docs/backends.md";

async function activate(name: string, backend: BackendName, help: string): Promise<void> {
  let ok = false;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (cause) {
    throw new BackendUnavailable(backend, `initialisation failed: ${String(cause)}`, help, { cause });
  }
  if (!ok || tf.getBackend() !== name) throw new BackendUnavailable(backend, "tfjs could not initialise it", help);
}

function cpuDescription(): string {
  return `${process.arch} (${process.platform})`;
}

/** Loads, registers and activates a backend; resolves to what it is, or rejects with BackendUnavailable. */
export async function initBackend(name: BackendName = "wasm", options: InitOptions = {}): Promise<BackendInfo> {
  ensureGradients();
  const tfjsVersion = tf.version_core;
  switch (name) {
    case "wasm": {
      const help = "reinstall @tensorflow/tfjs-backend-wasm@4.22.0 (its .wasm binaries ship inside the package)";
      let wasm: typeof import("@tensorflow/tfjs-backend-wasm");
      try {
        wasm = await import("@tensorflow/tfjs-backend-wasm");
      } catch (cause) {
        throw new BackendUnavailable(name, "@tensorflow/tfjs-backend-wasm failed to load", help, { cause });
      }
      await activate("wasm", name, help);
      return {
        name,
        simd: tf.env().getBool("WASM_HAS_SIMD_SUPPORT"),
        threads: wasm.getThreadsCount(),
        asyncReadsOnly: false,
        device: cpuDescription(),
        tfjsVersion,
      };
    }
    case "cpu": {
      const help = "reinstall @tensorflow/tfjs-backend-cpu@4.22.0";
      try {
        await import("@tensorflow/tfjs-backend-cpu");
      } catch (cause) {
        throw new BackendUnavailable(name, "@tensorflow/tfjs-backend-cpu failed to load", help, { cause });
      }
      await activate("cpu", name, help);
      return { name, simd: false, threads: 1, asyncReadsOnly: false, device: cpuDescription(), tfjsVersion };
    }
    case "webgpu": {
      const adapter = await installWebGpu(options.webgpu);
      await activate("webgpu", name, "see docs/backends.md (webgpu)");
      return {
        name,
        simd: false,
        threads: 1,
        asyncReadsOnly: true,
        device: `${adapter.description} via Dawn ${adapter.dawnBackend}`.trim(),
        tfjsVersion,
      };
    }
    case "tensorflow": {
      const failures: string[] = [];
      for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
        try {
          await import(pkg);
          await activate("tensorflow", name, TF_NODE_HELP);
          // libtensorflow runs its own thread pools over every core (or on the GPU)
          return { name, simd: false, threads: availableParallelism(), asyncReadsOnly: false, device: `libtensorflow via ${pkg}`, tfjsVersion };
        } catch (cause) {
          if (cause instanceof BackendUnavailable) throw cause;
          failures.push(`${pkg}: ${cause instanceof Error ? cause.message.split("\n")[0] : String(cause)}`);
        }
      }
      throw new BackendUnavailable(name, `neither package loads (${failures.join("; ")})`, TF_NODE_HELP);
    }
    default: {
      const bad: never = name;
      throw new BackendUnavailable(String(bad), `unknown backend (known: ${BACKEND_NAMES.join(", ")})`, `use one of ${BACKEND_NAMES.join(", ")}`);
    }
  }
}
