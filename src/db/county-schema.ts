/**
 * Everything in one county's database (COUNTY_<SLUG>), gathered from the feature folders that
 * own each table. drizzle-kit reads this file to generate `migrations/county`.
 */
export * from '../activities/schema';
export * from '../audit/schema';
export * from '../contracts/schema';
export * from '../disclosure/schema';
export * from '../evaluations/schema';
export * from '../imports/schema';
export * from '../incidents/schema';
export * from '../ledgers/schema';
export * from '../payments/schema';
export * from '../providers/schema';
export * from '../rule-sets/schema';
export * from '../supervisees/schema';
export * from '../townships/schema';
export * from '../verification/schema';
export * from '../webhooks/schema';
export { batchGuard } from './guard';
