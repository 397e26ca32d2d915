// Per-provider pacing: at most `concurrency` requests at once, at most `perMinute` started a minute.
import pLimit, { type LimitFunction } from 'p-limit';
import type { Rule } from '../model/index.js';
import { ruleFileKey } from './http.js';

export const DEFAULT_CONCURRENCY = 4;

interface Lane {
  limit: LimitFunction;
  gapMs: number;
  next: number;
}

export class ProviderLanes {
  private readonly lanes = new Map<string, Lane>();

  /** Runs `fn` in the rule's provider lane (a lane per rule file: one provider's rules share its limits). */
  run<T>(rule: Rule, rateLimit: { concurrency?: number; perMinute?: number } | undefined, fn: () => Promise<T>): Promise<T> {
    const key = ruleFileKey(rule);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { limit: pLimit(rateLimit?.concurrency ?? DEFAULT_CONCURRENCY), gapMs: rateLimit?.perMinute ? 60_000 / rateLimit.perMinute : 0, next: 0 };
      this.lanes.set(key, lane);
    }
    const l = lane;
    return l.limit(async () => {
      if (l.gapMs) {
        const wait = l.next - Date.now();
        l.next = Math.max(Date.now(), l.next) + l.gapMs;
        if (wait > 0) await sleep(wait);
      }
      return fn();
    });
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
