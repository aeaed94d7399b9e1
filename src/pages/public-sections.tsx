/**
 * The parts of the public page that come from other features (money from contracts and payments,
 * results from evaluations and statistics), added as those features land.
 */
import type { Child } from 'hono/jsx';
import type { CountyRow } from '../db/control-schema';
import type { CountyDb } from '../env';
import type { Ctx } from '../lib/context';
import type { Lang } from './i18n';

export async function publicSections(
  _c: Ctx,
  _county: CountyRow,
  _db: CountyDb,
  _lang: Lang,
): Promise<{ money: Child; results: Child }> {
  return { money: null, results: null };
}
