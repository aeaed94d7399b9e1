/** setupFiles of the Node project: the suite's "today" for the test code, teardown after the file. */
import { afterAll } from 'vitest';
import { useClockOf } from '../../../src/lib/time.ts';
import { closeTestRuntime, env } from './cloudflare-workers.ts';

useClockOf(env);
afterAll(closeTestRuntime);
