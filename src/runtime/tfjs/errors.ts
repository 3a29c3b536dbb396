/** Typed failures of backend selection. */

export class BackendUnavailable extends Error {
  override readonly name = "BackendUnavailable";
  constructor(
    readonly backend: string,
    message: string,
    /** What the user can do about it (what to install, which variable to set). */
    readonly help: string,
    options?: { cause?: unknown },
  ) {
    super(`backend "${backend}" is unavailable: ${message}`, options);
  }
}
