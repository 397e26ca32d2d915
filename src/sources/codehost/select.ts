// Which of the listed repositories a run takes: forks left out unless asked for, archived ones on request, and
// name globs (picomatch; a glob without a slash is matched against the repository's own name, the last part).
import picomatch from 'picomatch';
import type { HostedRepository } from './types.js';

export interface SelectOptions {
  includeForks?: boolean;
  excludeArchived?: boolean;
  /** Any of these globs (none: every name). */
  repoFilter?: string[];
}

export interface Selection {
  repositories: HostedRepository[];
  forks: number;
  archived: number;
  filtered: number;
}

export function selectRepositories(all: HostedRepository[], o: SelectOptions): Selection {
  const globs = (o.repoFilter ?? []).filter(Boolean);
  const matchers = globs.map((g) => {
    const m = picomatch(g, { dot: true });
    return g.includes('/') ? m : (name: string) => m(name.slice(name.lastIndexOf('/') + 1));
  });
  const out: Selection = { repositories: [], forks: 0, archived: 0, filtered: 0 };
  for (const r of all) {
    if (r.fork && !o.includeForks) out.forks++;
    else if (r.archived && o.excludeArchived) out.archived++;
    else if (matchers.length && !matchers.some((m) => m(r.name))) out.filtered++;
    else out.repositories.push(r);
  }
  out.repositories.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}
