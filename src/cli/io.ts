/** What a command may touch of the outside world; tests pass a fake. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether to colour output on stderr (TTY and no NO_COLOR, or --color always). */
  readonly color: boolean;
  readonly isTTY: boolean;
  readonly cwd: string;
  readStdin(): Promise<string>;
}

export interface Command {
  readonly name: string;
  /** One line for `rlp --help`. */
  readonly summary: string;
  /** The full usage text for `rlp NAME --help`. */
  readonly usage: string;
  /** Returns the process exit code: 0 ok, 1 diagnostics, 2 usage, 3 internal error, 4 runtime failure. */
  run(argv: readonly string[], io: CliIO): Promise<number>;
}

export const EXIT = { ok: 0, diagnostics: 1, usage: 2, internal: 3, runtime: 4, interrupted: 130 } as const;

export function bufferedIO(options: { color?: boolean; cwd?: string; stdin?: string } = {}): CliIO & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
    color: options.color ?? false,
    isTTY: false,
    cwd: options.cwd ?? process.cwd(),
    readStdin: async () => options.stdin ?? "",
  };
  return io;
}
