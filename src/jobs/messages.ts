/** Messages on the JOBS queue: one county's periodic work, or one webhook delivery attempt. */
export type JobMessage =
  | { type: 'county-tick'; county: string; trigger: 'scheduled' | 'manual' }
  | { type: 'webhook-delivery'; county: string; deliveryId: string };
