import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

export interface ScriptRun {
  /** The exit code; null when the script was killed (its timeout, a signal). */
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs a script of the repository (`node <script> ...args`, from the repository's root) with PATH and
 * `env` as its whole environment, as an operator would: nothing of the test process leaks in. Never
 * rejects: a failing script is its code and output.
 */
export function runScript(script: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<ScriptRun> {
  const started = Date.now();
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(ROOT, script), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        done({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}
