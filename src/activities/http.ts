/** What the activity, ledger, assignment and call-back routes share: the caller's context. */
import { controlDb } from '../db';
import { type Ctx, countyCtx } from '../lib/context';
import { actorScope } from './access';
import type { ActivityCtx } from './service';

export const activityCtx = (c: Ctx): ActivityCtx => {
  const k = countyCtx(c);
  return { ...k, control: controlDb(c.env), scope: actorScope(k.actorUserId, c.var.countyMemberships) };
};

export { etag, parseIfMatch } from '../lib/etag';
