/** What the activity, ledger, assignment and call-back routes share: the caller's context and ETags. */
import { controlDb } from '../db';
import { type Ctx, countyCtx } from '../lib/context';
import { actorScope } from './access';
import type { ActivityCtx } from './service';

export const activityCtx = (c: Ctx): ActivityCtx => {
  const k = countyCtx(c);
  return { ...k, control: controlDb(c.env), scope: actorScope(k.actorUserId, c.var.countyMemberships) };
};

export const etag = (version: number) => `"v${version}"`;

/** The version an If-Match names; -1 for a tag we never issued (it matches nothing); null when absent. */
export function parseIfMatch(header: string | undefined): number | null {
  if (!header) return null;
  const m = /^(?:W\/)?"v(\d+)"$/.exec(header.trim());
  return m ? Number(m[1]) : -1;
}
