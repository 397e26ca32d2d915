// Types only: every layer above imports from here, nothing here imports anything.

export type RuleKind =
  | 'api-key' | 'access-key' | 'secret-key' | 'client-secret' | 'oauth-token' | 'refresh-token' | 'session-token'
  | 'personal-access-token' | 'bot-token' | 'deploy-token' | 'service-account' | 'webhook-url' | 'webhook-secret'
  | 'signing-secret' | 'encryption-key' | 'private-key' | 'password' | 'password-hash' | 'connection-string'
  | 'credentials' | 'jwt' | 'license-key' | 'other';

export type Confidence = 'high' | 'medium' | 'low';
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type Privilege = 'admin' | 'write' | 'read' | 'publish' | 'unknown';
export type Environment = 'live' | 'test' | 'unknown';
export type Lifetime = 'long-lived' | 'short-lived' | 'unknown';
export type ChecksumKind = 'github-crc32' | 'npm-crc32';
/**
 * `report`: counts for exit code 1 and the default output. `review`: kept for a human to look at (a password hash,
 * an encrypted key, a public identifier, a weak or example password, a low-scoring generic candidate); never fails
 * a build, shown with `--include-review` and behind a filter in the HTML report.
 */
export type Tier = 'report' | 'review';

/**
 * Where a token stands in a history scan. `active`: HEAD's tree holds it (the checked-out branch; in a bare clone,
 * the default branch). `unmerged`: not HEAD, but the tip of another branch, tag, remote or pull ref, or a stash entry
 * holds it. `history-only`: no ref's tip holds it; only past commits do.
 */
export type TokenStatus = 'active' | 'unmerged' | 'history-only';

/** Where a companion part of a multi-part credential sits (an AWS secret key beside its key id, a user name). */
export interface PartLocation {
  name: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface RuleExample {
  text: string;
  secret: string;
  path?: string;
  parts?: Record<string, string>;
}

export interface NegativeExample {
  text: string;
  path?: string;
}

export interface RulePart {
  name: string;
  pattern: string;
  within?: number;
  required?: boolean;
  /** The credential's severity once this part is found with it: a pair is as severe as its most severe part. */
  severity?: Severity;
}

/** What a key name says it holds (see match/keys.ts, which classifies names). */
export type KeyClass =
  | 'password' | 'secret' | 'api-key' | 'token' | 'private-key' | 'credential' | 'auth' | 'key' | 'salt' | 'session'
  | 'metadata' | 'hash';

/**
 * A rule fed by the assignment grammar instead of a pattern of its own: it takes the candidates whose key is of
 * one of these classes (`password = "..."` in every syntax), and the scorer decides what each is worth.
 */
export interface CandidateSpec {
  keyClasses: KeyClass[];
  /**
   * A provider's rule: the candidate counts only where one of these names (case-insensitive, compared without
   * separators) is in its key, in the key it is nested under, or in the two lines above it (`abuseipdb_key = ...`,
   * `ABUSEIPDB_API_KEY=...`, `abuseipdb:` / `  api_key: ...`).
   */
  names?: string[];
  /** RE2 the whole value must match: the provider's format (length, alphabet, prefix). */
  value?: string;
}

/**
 * A rule fed by the PEM block finder: it reports private-key blocks with one of these labels (`*`: any label no
 * other rule claims), in whatever form they are written (prefixed log lines, escaped strings, base64).
 * `encrypted` limits it to encrypted (true) or clear (false) keys.
 */
export interface PemSpec {
  labels: string[];
  encrypted?: boolean;
}

/** Outcome of checking a credential against its provider (`--verify`). Anything neither live nor invalid is unknown: never guessed live. */
export type VerifyStatus = 'live' | 'invalid' | 'unknown' | 'error';

/**
 * An HTTP request a rule describes, interpreted by src/respond (no rule runs code).
 * Templates: `{{secret}}` is the credential, `{{part.NAME}}` a part of a multi-part credential.
 */
export interface HttpRequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  /** https on the provider's official API host; `--verify-endpoint` replaces its origin. */
  url: string;
  /** Hosts the URL may name when a part supplies the host (`*.okta.com`); default: the URL's own host only. */
  hosts?: string[];
  headers?: Record<string, string>;
  basic?: { username: string; password: string };
  /** application/x-www-form-urlencoded body. */
  form?: Record<string, string>;
  /** JSON body; string leaves are templates, and "{{secrets}}" becomes the array of a revocation batch. */
  json?: unknown;
  /** Provider signing done by a named helper with a library behind it. */
  sign?: { kind: 'aws-sigv4'; service?: string; region?: string; accessKeyId?: string; secretAccessKey?: string };
}

/** Every given property must hold for the matcher to hold. */
export interface ResponseMatcher {
  status?: number | number[];
  json?: { path: string; equals?: string | number | boolean | null; exists?: boolean };
  bodyContains?: string;
  header?: string;
}

/** Where a value shows in a response: a header or a dotted JSON path (`orgs.data.*.title` maps over an array). */
export interface ValueExtractor {
  header?: string;
  json?: string;
  split?: string;
  label?: string;
}

export interface VerifySpec {
  request: HttpRequestSpec;
  live: ResponseMatcher[];
  invalid: ResponseMatcher[];
  identity?: ValueExtractor[];
  scopes?: ValueExtractor;
  /** A second request, sent only once the credential is live, for identity or scopes. */
  details?: { request: HttpRequestSpec; identity?: ValueExtractor[]; scopes?: ValueExtractor };
  /** First entry with any of its scopes present wins; written admin first. */
  privilegeFromScopes?: { privilege: Exclude<Privilege, 'unknown'>; anyOf: string[] }[];
  rateLimit?: { concurrency?: number; perMinute?: number };
  docs: string[];
}

export interface RevokeSpec {
  request: HttpRequestSpec;
  /** Credentials per request; the JSON body's "{{secrets}}" takes them. */
  batch?: number;
  success: ResponseMatcher[];
  docs: string[];
}

/** A rule as written in a rules/*.yaml file, with the file's provider filled in. */
export interface Rule {
  id: string;
  name: string;
  provider: string;
  description?: string;
  kind: RuleKind;
  /** RE2; the secret is group `secret` or group 1. Absent for rules fed by the grammar (`candidates`). */
  pattern?: string;
  candidates?: CandidateSpec;
  pem?: PemSpec;
  keywords: string[];
  keywordCase?: 'insensitive' | 'sensitive';
  minEntropy?: number;
  confidence: Confidence;
  severity: Severity;
  privilege: Privilege;
  privilegeReason: string;
  environment?: Environment;
  lifetime?: Lifetime;
  checksum?: ChecksumKind;
  generic?: boolean;
  paths?: string[];
  excludePaths?: string[];
  parts?: RulePart[];
  window?: number;
  rotate: string;
  references?: string[];
  /** How `--verify` checks the credential; honoured only for built-in rules and rules the user names with --rules. */
  verify?: VerifySpec;
  /** How `shadowscan revoke` revokes it through the provider's self-revocation API. */
  revoke?: RevokeSpec;
  examples: RuleExample[];
  negativeExamples: NegativeExample[];
  /** The file the rule came from, relative to its rules directory. */
  source: string;
}

/** One match of one rule in one piece of content. Holds the raw secret: never leaves the scan layer unredacted. */
export interface RawMatch {
  ruleId: string;
  secret: string;
  /** Byte offsets of the secret in the content. */
  start: number;
  end: number;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  entropy: number;
  confidence: Confidence;
  /** Set when the token embeds a checksum: true verified, false failed. */
  checksumValid?: boolean;
  /** Companion parts of a multi-part credential (name -> value). */
  parts?: Record<string, string>;
  /** How the secret was found inside encoded content, if it was. */
  decoded?: 'base64' | 'percent' | 'unicode-escape';
  /** 0 to 1: how likely the match is a working credential, from the features of the candidate. */
  score: number;
  /** The two or three features that decided the score, in words. */
  reasons: string[];
  /** Set (to why) when the match belongs in the review tier whatever its score: a password hash, an encrypted key. */
  review?: string;
  /** Where the companion parts were found, for those on other lines or columns than the secret. */
  partLocations?: PartLocation[];
  /** Raised from the rule's when a part found with the secret makes the credential more severe. */
  severity?: Severity;
}

/**
 * Where in a repository a token sits when it is not in a file's content: in a file or folder name (`path`), in a
 * commit's author or committer name or e-mail (`author`), or in a commit message (`message`).
 */
export type OccurrenceKind = 'path' | 'author' | 'message';

export interface Occurrence {
  /**
   * Relative path of the file. When the path itself holds a secret (a file or folder named after a token), that part
   * is redacted here and `pathFingerprint` identifies the real path. Empty for `author` and `message` occurrences.
   */
  path: string;
  /** Absent: the token is in the file's content. Otherwise where else (lines and columns count within that text). */
  kind?: OccurrenceKind;
  /** Set when `path` is redacted: HMAC-SHA-256 of the real path under the fingerprint key (hex), to match it. */
  pathFingerprint?: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** For scans of several targets or repositories. */
  target?: string;
  /** Org scans: the repository, by its name in the organisation's list. */
  repo?: string;
  decoded?: RawMatch['decoded'];
  /** Set when this place holds a companion part of the token (`username`, `secret`), not the token itself. */
  part?: string;
  commit?: string;
  author?: { name: string; email: string };
  date?: string;
}

/** What `--verify` learnt about a token from its provider. */
export interface TokenVerification {
  status: VerifyStatus;
  /** When the provider answered (ISO 8601). */
  checkedAt: string;
  /** Who the credential acts as (`user: octocat`), as the provider said. */
  identity?: string;
  /** The scopes the provider reported. */
  scopes?: string[];
  /** Why the status is what it is (the HTTP status, a missing part, a rate limit). */
  detail?: string;
}

/** What `shadowscan revoke` did with a token. */
export interface TokenRevocation {
  status: 'revoked' | 'failed';
  revokedAt: string;
  by: string;
  detail?: string;
}

export interface Token {
  /** HMAC-SHA-256 of the secret under the fingerprint key (hex). */
  id: string;
  ruleId: string;
  ruleName: string;
  provider: string;
  kind: RuleKind;
  severity: Severity;
  confidence: Confidence;
  privilege: Privilege;
  privilegeReason: string;
  environment: Environment;
  lifetime: Lifetime;
  redacted: string;
  length: number;
  entropy: number;
  checksumValid?: boolean;
  /**
   * 0 to 1 (two decimals), the best score of the places it was found. Tier `report` when at least one of them has
   * no review reason and scores at least the minimum score; `review` otherwise.
   */
  score: number;
  tier: Tier;
  /** Why the score is what it is, from its best-scoring place (a review reason first, when `review` is set). */
  reasons: string[];
  /**
   * Set (to why) when every place the token was found carries a review reason (a password hash, an encrypted key):
   * it stays in review whatever the minimum score.
   */
  review?: string;
  rotate: string;
  references: string[];
  controls: string[];
  /** Companion parts of a multi-part credential found with it, redacted like the token itself. */
  parts?: { name: string; redacted: string }[];
  occurrences: Occurrence[];
  /** Present only when the user passed --show-secrets. */
  secret?: string;
  /** History scans: the earliest and latest commits that wrote the token (by author date). */
  firstSeen?: Sighting;
  lastSeen?: Sighting;
  /** History scans: how many distinct commits wrote a version of a file carrying the token. */
  commits?: number;
  /** History scans: whether HEAD's current tree still carries the token. */
  presentInHead?: boolean;
  /**
   * History scans: the refs whose tip tree holds the token (full names: `refs/heads/feature`, `refs/tags/v1`,
   * `refs/stash`, `refs/stash@{1}`), sorted; in org scans and merges each is prefixed with its repository
   * (`team-a/api:refs/heads/main`).
   */
  refs?: string[];
  /** History scans: active, unmerged or history-only (see TokenStatus), from presentInHead and refs. */
  status?: TokenStatus;
  /** Org scans: every repository holding the token, by name. */
  repos?: string[];
  /** With --verify (or from the datastore's cache): the provider's answer. */
  verification?: TokenVerification;
  /** Where `privilege` comes from: the rule's static guess, or the scopes the provider reported. Set once verified. */
  privilegeSource?: 'rule' | 'observed';
  /** Set by the datastore once `shadowscan revoke` revoked it (or tried). */
  revocation?: TokenRevocation;
}

/** One appearance of a token in history: which commit, when (author date), under which path. */
export interface Sighting {
  commit: string;
  date: string;
  path: string;
  /** Org scans: the repository. */
  repo?: string;
}

/** What a history scan covered. */
export interface HistoryScanInfo {
  /** 'history' for commits, 'staged' for the index. */
  mode: 'history' | 'staged';
  /** The git reader used: the git executable or the isomorphic-git fallback. */
  backend: 'git' | 'isomorphic-git';
  /** The refs asked for; absent when every ref was scanned. */
  refs?: string[];
  since?: string;
  range?: string;
  commits: number;
  /** Unique blobs read and matched (each once, whatever the number of commits and paths carrying it). */
  blobs: number;
  shallow?: boolean;
  bare?: boolean;
  head?: string;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface ScanSummary {
  targets: string[];
  startedAt: string;
  durationMs: number;
  files: number;
  bytes: number;
  skipped: SkippedFile[];
  warnings: string[];
  rules: number;
  /**
   * A short keyed hash of a constant under the fingerprint key (as baselines carry): inventories made with different
   * keys give the same secret different ids, so `merge` refuses to mix them. Absent in inventories made before.
   */
  keyCheck?: string;
  /** History and staged scans only. */
  history?: HistoryScanInfo;
  /** The score below which a token goes to the review tier. */
  minScore?: number;
  /** Review-tier tokens found; they are in `tokens` only with --include-review. */
  review?: number;
  /** When a baseline was applied: its file and how many known tokens it left out of `tokens`. */
  baseline?: { file: string; known: number };
  /** Org scans: which repositories, how each went, what the datastore saved. */
  org?: OrgScanInfo;
}

/** One repository of an org scan. */
export interface RepositoryScan {
  /** Its path relative to the scanned folder, or the line of the list file. */
  name: string;
  status: 'scanned' | 'failed';
  /** Why it failed: one line. */
  error?: string;
  /** When its scan started (ISO 8601). */
  scannedAt: string;
  durationMs: number;
  commits?: number;
  /** Unique blobs read and matched in this run. */
  blobs?: number;
  /** Blobs the datastore answered (already matched by the same rules), not read again. */
  reused?: number;
  bytes?: number;
  /** Report-tier tokens found in it. */
  tokens?: number;
  /** Review-tier tokens found in it, when there are any. */
  review?: number;
  head?: string;
  bare?: boolean;
  /**
   * With a datastore: its refs, HEAD and the settings were those of its last scan, so that scan's results were
   * used as they are (no history listed, no blob read).
   */
  unchanged?: boolean;
}

export interface OrgScanInfo {
  /** Where the repositories came from: the folder searched or the list file. */
  source: string;
  /** `--shard I/N`: this inventory covers the I-th of N slices (1-based); absent for a whole run or a merge of every shard. */
  shard?: { index: number; count: number };
  repositories: RepositoryScan[];
  blobsRead: number;
  blobsReused: number;
  /** The datastore used, if any, and the version key of the rules and settings that matched. */
  datastore?: string;
  rulesVersion?: string;
}

export interface Inventory {
  schemaVersion: 1;
  tool: { name: string; version: string };
  scan: ScanSummary;
  tokens: Token[];
}
