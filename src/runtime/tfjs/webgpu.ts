/**
 * WebGPU in Node through Dawn (the optional npm package `webgpu`) for tfjs-backend-webgpu.
 *
 * Node has no `navigator.gpu`, so one is installed that forwards to Dawn. On a machine without a
 * GPU the only adapter is Mesa's llvmpipe behind Dawn's OpenGL ES backend, which needs
 * EGL_PLATFORM=surfaceless and the "compatibility" feature level; that route is tried when the
 * default (Vulkan) adapter is missing. Results must be read with `await t.data()`: dataSync needs
 * an OffscreenCanvas that Node lacks.
 */
import { BackendUnavailable } from "./errors.js";

export interface WebGpuOptions {
  /** Dawn backends to try in order (default: Dawn's default (Vulkan), then "opengles"). */
  readonly dawnBackends?: readonly string[];
}

export interface WebGpuAdapterInfo {
  readonly dawnBackend: string;
  readonly description: string;
  readonly compatibility: boolean;
}

interface DawnModule {
  create(flags: string[]): DawnGpu;
  globals: Record<string, unknown>;
}

interface DawnGpu {
  requestAdapter(options?: Record<string, unknown>): Promise<DawnAdapter | null>;
  readonly wgslLanguageFeatures?: unknown;
}

interface DawnAdapter {
  readonly info?: { description?: string; device?: string; vendor?: string; architecture?: string };
}

const HELP =
  "npm install webgpu@0.6.2 @tensorflow/tfjs-backend-webgpu@4.22.0; on NVIDIA also apt-get install libvulkan1 " +
  "(the driver provides the Vulkan ICD); without a GPU, apt-get install libegl1 libegl-dev libegl-mesa0 libgl1-mesa-dri for the " +
  "software adapter (Dawn dlopens the unversioned libEGL.so, which only libegl-dev provides)";

async function importOptional(specifier: string, what: string): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (cause) {
    throw new BackendUnavailable("webgpu", `${what} (${specifier}) is not installed or failed to load`, HELP, { cause });
  }
}

/** Installs navigator.gpu (backed by Dawn) and registers tfjs-backend-webgpu. */
export async function installWebGpu(options: WebGpuOptions = {}): Promise<WebGpuAdapterInfo> {
  const dawnImport = (await importOptional("webgpu", "Dawn for Node")) as Partial<DawnModule> & { default?: DawnModule };
  const dawn: DawnModule = typeof dawnImport.create === "function" ? (dawnImport as DawnModule) : dawnImport.default!;
  Object.assign(globalThis, dawn.globals);
  const tries = options.dawnBackends ?? ["default", "opengles"];
  for (const backend of tries) {
    // The GL route has no display on a server; EGL must use its surfaceless platform.
    if (backend === "opengles" || backend === "opengl") process.env["EGL_PLATFORM"] ??= "surfaceless";
    const gpu = dawn.create(backend === "default" ? [] : [`backend=${backend}`]);
    const compatibility = backend === "opengles" || backend === "opengl";
    const extra = compatibility ? { featureLevel: "compatibility" } : {};
    const adapter = await gpu.requestAdapter(extra);
    if (adapter === null) continue;
    const navigatorShim = {
      gpu: {
        requestAdapter: (o: Record<string, unknown> = {}) => gpu.requestAdapter({ ...o, ...extra }),
        get wgslLanguageFeatures() {
          return gpu.wgslLanguageFeatures;
        },
      },
    };
    Object.defineProperty(globalThis, "navigator", { value: navigatorShim, configurable: true, writable: true });
    await importOptional("@tensorflow/tfjs-backend-webgpu", "the tfjs WebGPU backend");
    const info = adapter.info ?? {};
    const description = [info.vendor, info.architecture, info.device, info.description]
      .map((s) => (s ?? "").replace(/^[\s-]+/, "").trim())
      .filter((s) => s !== "")
      .join(", ");
    return { dawnBackend: backend, description, compatibility };
  }
  throw new BackendUnavailable("webgpu", `no WebGPU adapter found (tried Dawn backends: ${tries.join(", ")})`, HELP);
}
