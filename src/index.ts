import { createApp } from './app';
import { guardedEnv } from './db/param-guard';
import type { Bindings } from './env';
import { queue, scheduled } from './jobs/handlers';
import type { JobMessage } from './jobs/messages';
import { useClockOf } from './lib/time';

const app = createApp();

// Every entry point applies the clock seam first, so a request, a cron tick and a queue batch
// all see the same "today" (src/lib/time.ts), and in tests hands on an env whose D1 bindings
// refuse statements over D1's 100 bound parameters (src/db/param-guard.ts).
export default {
  fetch: (request, env, ctx) => {
    useClockOf(env);
    return app.fetch(request, guardedEnv(env), ctx);
  },
  scheduled: (controller, env, ctx) => {
    useClockOf(env);
    return scheduled(controller, guardedEnv(env), ctx);
  },
  queue: (batch, env, ctx) => {
    useClockOf(env);
    return queue(batch, guardedEnv(env), ctx);
  },
} satisfies ExportedHandler<Bindings, JobMessage>;
