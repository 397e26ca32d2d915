// The score thresholds, apart from the scorer so that the command line can name them without loading it.

/** The default line between the report and review tiers (config `minScore`, `--min-score`). */
export const DEFAULT_MIN_SCORE = 0.5;

/** Below this a candidate is not kept even for review: it is a word, a label or code. */
export const KEEP_SCORE = 0.2;
