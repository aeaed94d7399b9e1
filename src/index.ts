import { createApp } from './app';
import type { Bindings } from './env';
import { queue, scheduled } from './jobs/handlers';
import type { JobMessage } from './jobs/messages';
import { useClockOf } from './lib/time';

const app = createApp();

// Every entry point applies the clock seam first, so a request, a cron tick and a queue batch
// all see the same "today" (src/lib/time.ts).
export default {
  fetch: (request, env, ctx) => {
    useClockOf(env);
    return app.fetch(request, env, ctx);
  },
  scheduled: (controller, env, ctx) => {
    useClockOf(env);
    return scheduled(controller, env, ctx);
  },
  queue: (batch, env, ctx) => {
    useClockOf(env);
    return queue(batch, env, ctx);
  },
} satisfies ExportedHandler<Bindings, JobMessage>;
