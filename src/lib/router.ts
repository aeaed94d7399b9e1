import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { Problem, zodFieldErrors } from './problem';

/**
 * Every router validates with the same hook: a failed zod check becomes a 400 problem whose
 * `errors` name each offending field (dotted body path, or the query/path parameter's name).
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const errors = zodFieldErrors(result.error);
        const where = result.target === 'json' ? 'body' : result.target;
        throw new Problem(400, `The request ${where} is not valid.`, { errors });
      }
    },
  });
}

export type Router = ReturnType<typeof createRouter>;
