/** Running the project's own wrangler (node_modules/.bin, so on the pinned Node 22). */
import { spawn } from 'node:child_process';
import { delimiter } from 'node:path';
import { ROOT, WRANGLER_BIN } from './paths.ts';

/**
 * Environment that keeps wrangler and miniflare quiet and offline: no telemetry, no fetch of
 * the Request.cf object, no prompts about agent skills. Set before any wrangler code loads.
 */
export const QUIET_ENV: Record<string, string> = {
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  WRANGLER_NO_SKILLS_UPDATE_PROMPTS: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  DO_NOT_TRACK: '1',
};

/**
 * The environment of a wrangler child: quiet, offline, and with node_modules/.bin first on PATH so
 * wrangler's `#!/usr/bin/env node` finds the pinned Node 22 even when a script was started
 * outside npm on the machine's older Node.
 */
export function wranglerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...QUIET_ENV,
    PATH: [`${ROOT}/node_modules/.bin`, process.env.PATH ?? ''].join(delimiter),
    ...extra,
  };
}

export function applyQuietEnv(): void {
  for (const [k, v] of Object.entries(QUIET_ENV)) process.env[k] ??= v;
}

export type WranglerResult = { code: number; stdout: string; stderr: string };

/** Runs `wrangler …args`, capturing its output (and echoing it when `echo`). */
export function runWrangler(args: string[], opts: { echo?: boolean } = {}): Promise<WranglerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(WRANGLER_BIN, args, {
      cwd: ROOT,
      // No terminal on stdin: wrangler skips its confirmation prompts, as in CI.
      stdio: ['ignore', 'pipe', 'pipe'],
      env: wranglerEnv({ FORCE_COLOR: '0' }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      if (opts.echo) process.stdout.write(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      if (opts.echo) process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** The last few meaningful lines of a failed run (tables left out), for a one-line-per-database report. */
export function failureSummary(result: WranglerResult, lines = 6): string {
  const text = (result.stderr.trim() !== '' ? result.stderr : result.stdout)
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !/[─┌└├│┐┘┤┬┴┼]/.test(l));
  return text.slice(-lines).join('\n    ');
}
