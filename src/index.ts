import { createApp } from './app';
import type { Bindings } from './env';
import { queue, scheduled } from './jobs/handlers';
import type { JobMessage } from './jobs/messages';

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled,
  queue,
} satisfies ExportedHandler<Bindings, JobMessage>;
