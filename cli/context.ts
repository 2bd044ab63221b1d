import type { MusterApi } from './api-client';
import type { GlobalOptions } from './args';

/** Where a command writes: results on stdout, progress and diagnostics on stderr. */
export interface Terminal {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal, where progress redraws one line instead of printing many. */
  readonly errIsTTY: boolean;
}

export interface CommandContext {
  readonly api: MusterApi;
  readonly globals: GlobalOptions;
  readonly terminal: Terminal;
  readonly pollIntervalMs: number;
}

/** Prints a result: JSON under --json, else the human-readable text. */
export function print(context: CommandContext, json: unknown, human: () => string): void {
  context.terminal.out(context.globals.json ? `${JSON.stringify(json, null, 2)}\n` : `${human()}\n`);
}

/** A failure the CLI itself detects (a file it cannot read): exit code 1 with this one line. */
export class CliFailure extends Error {
  override name = 'CliFailure';
}
