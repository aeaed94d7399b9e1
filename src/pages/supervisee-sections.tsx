/**
 * The parts of a supervisee's page that come from other features (compliance calendar, activity
 * timeline), kept apart so the record page itself does not change as they are added.
 */
import type { Child } from 'hono/jsx';
import type { Ctx } from '../lib/context';
import type { SuperviseeRow } from '../supervisees/schema';
import type { PageCtx } from './kit';

export async function superviseeSections(
  _c: Ctx,
  _p: PageCtx,
  _row: SuperviseeRow,
): Promise<{ before: Child; after: Child }> {
  return { before: null, after: null };
}
