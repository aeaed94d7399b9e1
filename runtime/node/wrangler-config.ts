/**
 * What the self-hosted runtime takes from wrangler.toml, so both runtimes follow one
 * configuration: the cron triggers and the JOBS queue's producer and consumer settings.
 * (A small reader for these keys only, not a TOML parser.)
 */
import { readFileSync } from 'node:fs';
import { ROOT } from '../../scripts/lib/paths.ts';

export type QueueSettings = {
  binding: string;
  queue: string;
  maxBatchSize: number;
  maxRetries: number;
  deadLetterQueue?: string;
  retryDelaySeconds: number;
};

export type WranglerSettings = { crons: string[]; queues: QueueSettings[] };

/** The `[[name]]` tables of a TOML text, each as its `key = value` lines. */
function tables(toml: string, name: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  let current: Record<string, string> | null = null;
  for (const raw of toml.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line.startsWith('[')) {
      current = line === `[[${name}]]` ? {} : null;
      if (current) out.push(current);
      continue;
    }
    const m = current && line.match(/^([\w-]+)\s*=\s*(.+)$/);
    if (m && current) current[m[1]!] = m[2]!.trim().replace(/^"(.*)"$/, '$1');
  }
  return out;
}

export function readWranglerSettings(file = `${ROOT}/wrangler.toml`): WranglerSettings {
  const toml = readFileSync(file, 'utf8');
  const triggers = toml.match(/^\[triggers\][^[]*?^crons\s*=\s*\[([^\]]*)\]/ms);
  const crons = triggers ? [...triggers[1]!.matchAll(/"([^"]+)"/g)].map((m) => m[1]!) : [];
  const producers = tables(toml, 'queues.producers');
  const consumers = tables(toml, 'queues.consumers');
  const queues = producers.map((p) => {
    const c = consumers.find((k) => k.queue === p.queue) ?? {};
    const n = (v: string | undefined, fallback: number) => (v === undefined ? fallback : Number(v));
    return {
      binding: p.binding!,
      queue: p.queue!,
      // Cloudflare's defaults where wrangler.toml says nothing.
      maxBatchSize: n(c.max_batch_size, 10),
      maxRetries: n(c.max_retries, 3),
      ...(c.dead_letter_queue ? { deadLetterQueue: c.dead_letter_queue } : {}),
      retryDelaySeconds: n(c.retry_delay, 0),
    };
  });
  return { crons, queues };
}
