// Report tiers. `report`: what fails a build and what reports show by default. `review`: kept for a human to look
// at (a password hash, an encrypted key, a low-scoring generic candidate); shown with --include-review only.
import type { Inventory, Tier, Token } from '../model/index.js';

/** Scores are kept to two decimals, and the tier is decided on that: what the reports show is what decided. */
export function roundScore(score: number): number {
  return Math.round(score * 100) / 100;
}

/** The tier of one place a token was found: review when it carries a review reason or scores below the minimum. */
export function tierOf(score: number, review: string | undefined, minScore: number): Tier {
  return review === undefined && roundScore(score) >= minScore ? 'report' : 'review';
}

/** Report tier; tokens written before tiers existed (no `tier`) count as reported, as they were. */
export function isReported(t: Pick<Token, 'tier'>): boolean {
  return t.tier !== 'review';
}

/**
 * A token's tier under another minimum score (`inventory show --min-score`), from its best score and its review
 * reason. Exact unless the token was found both with and without a review reason, the former scoring higher:
 * then its best score is the former's.
 */
export function retier(t: Token, minScore: number): Token {
  const tier = tierOf(t.score ?? 1, t.review, minScore);
  return tier === t.tier ? t : { ...t, tier };
}

/**
 * What a report shows: report-tier tokens, review-tier ones too when asked. `scan.review` counts the review-tier
 * tokens either way, so a report can say how many it leaves out.
 */
export function tierView(inv: Inventory, includeReview: boolean): Inventory {
  const review = inv.tokens.filter((t) => !isReported(t)).length;
  return { ...inv, scan: { ...inv.scan, review }, tokens: includeReview ? inv.tokens : inv.tokens.filter(isReported) };
}
