/**
 * The parts of a supervisee's page that come from other features (the compliance calendar, the
 * activity timeline), kept apart so the record page itself stays small.
 */
import type { Child } from 'hono/jsx';
import type { Ctx } from '../lib/context';
import type { SuperviseeRow } from '../supervisees/schema';
import { complianceCalendar } from './compliance';
import type { PageCtx } from './kit';

export async function superviseeSections(
  c: Ctx,
  p: PageCtx,
  row: SuperviseeRow,
): Promise<{ before: Child; after: Child }> {
  return { before: await complianceCalendar(c, p, row), after: null };
}
