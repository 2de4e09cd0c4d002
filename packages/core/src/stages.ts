/** The stages a row passes through, in order. */
export const STAGES = ['parse', 'map', 'validate', 'send'] as const;
export type StageName = (typeof STAGES)[number];
