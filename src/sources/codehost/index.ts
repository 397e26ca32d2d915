// Code hosts as a source: list the repositories of a GitHub organisation or user or a GitLab group, choose some,
// keep bare mirrors of them in sync. Knows nothing of rules; the scan reads the mirrors as any other repository.
export { CodeHostError, TOKEN_ENV, hostAuth, readToken, type HostAuth } from './auth.js';
export { listRepositories, nextLink, rateLimitWait, type ListOptions } from './api.js';
export { proxiedFetch } from '../proxy.js';
export { selectRepositories, type SelectOptions, type Selection } from './select.js';
export { checkedCloneUrl, cloneHosts, mirrorPath, syncMirror, type MirrorResult } from './mirror.js';
export { DEFAULT_API_URL, type HostKind, type HostTarget, type HostedRepository } from './types.js';
