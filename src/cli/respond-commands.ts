// `shadowscan inventory verify` and `shadowscan revoke`. Loaded with the rest of the CLI: imports nothing heavy up
// front (the engine, the datastore, the matchers load when a command runs).
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { Option, type Command } from 'commander';
import type { Inventory, Rule, Token, VerifyStatus } from '../model/index.js';
import { FORMATS, addRenderOptions, addTierOptions, collect, endpointOption, type Format } from './options.js';

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
}

interface RespondCommandOptions {
  db?: string;
  inventory?: string;
  config?: string;
  rules: string[];
  verifyEndpoint: string[];
  fingerprint?: string[];
  status?: VerifyStatus;
  provider?: string;
  quiet?: boolean;
  includeReview?: boolean;
}

async function rulesFor(opts: RespondCommandOptions, io: Io): Promise<{ rules: Rule[]; fingerprintKey: string }> {
  const [cli, config] = await Promise.all([import('./main.js'), import('../scan/config.js')]);
  const cfg = opts.config ? config.loadConfig(opts.config) : config.emptyConfig();
  const rules = cli.loadActiveRules(cfg, opts.rules, opts.quiet ? undefined : (m) => io.stderr(`warning: ${m}\n`));
  return { rules, fingerprintKey: cli.fingerprintKey(cfg) };
}

/** `--provider github`: a provider's name or its rule file, case-insensitive. */
function providerMatches(t: Token, rule: Rule | undefined, want: string): boolean {
  const w = want.toLowerCase();
  return t.provider.toLowerCase() === w || rule?.source.replace(/\.ya?ml$/, '').toLowerCase() === w || t.ruleId.toLowerCase().startsWith(`${w}.`);
}

function selected(tokens: Token[], rulesById: Map<string, Rule>, o: RespondCommandOptions): Token[] {
  return tokens.filter((t) => {
    if (o.fingerprint?.length && !o.fingerprint.some((f) => f.length >= 6 && t.id.startsWith(f.toLowerCase()))) return false;
    if (o.status && t.verification?.status !== o.status) return false;
    if (o.provider && !providerMatches(t, rulesById.get(t.ruleId), o.provider)) return false;
    return true;
  });
}

const STATUSES = ['live', 'invalid', 'unknown', 'error'];

export function registerInventoryVerify(inventory: Command, io: Io, setExit: (code: number) => void): void {
  const verify = addTierOptions(
    inventory
      .command('verify')
      .description("re-check a datastore's tokens with their providers, reading each secret again where it was found; caches the answers")
      .requiredOption('--db <file>', 'the datastore')
      .option('--rules <path>', 'also load rule files from this file or folder (repeatable); their verify blocks are honoured', collect, [])
      .option('--verify-endpoint <key=url>', "send a provider's checks to this base URL instead (KEY: rule file such as github, or a rule id; repeatable)", endpointOption, [])
      .option('-c, --config <file>', 'config file: the fingerprint key the datastore was made with')
      .option('--provider <name>', 'only tokens of this provider (name or rule file, e.g. github)')
      .addOption(new Option('-f, --format <format>', 'report format').choices(FORMATS as unknown as string[]).default('text'))
      .option('-o, --output <file>', 'write the report to a file instead of stdout')
      .option('-q, --quiet', 'no summary on stderr'),
    { minScore: false },
  );
  addRenderOptions(verify).action(async (opts: RespondCommandOptions & { db: string; format: Format; output?: string; color?: boolean; csvBom?: boolean }) => {
    const [cli, store, org, respond, reread] = await Promise.all([
      import('./main.js'), import('../store/index.js'), import('./org.js'), import('./respond.js'), import('../respond/reread.js'),
    ]);
    let db: import('../store/index.js').Datastore | undefined;
    try {
      db = store.Datastore.open(opts.db, { create: false });
      const { rules, fingerprintKey } = await rulesFor(opts, io);
      const byId = new Map(rules.map((r) => [r.id, r]));
      const inv = await org.datastoreInventory(db, opts.db, rules);
      const tokens = selected(respond.tokensToVerify(inv, byId, opts.includeReview), byId, { ...opts, status: undefined });
      const repoPaths = db.repositoryPaths();
      await respond.verifyTokens(io, tokens, rules, new Map(), {
        endpoints: respond.endpointsOf(opts.verifyEndpoint),
        quiet: opts.quiet,
        reread: (missing) => reread.rereadSecrets(missing, { rules, fingerprintKey, repoPaths }),
      });
      db.saveVerifications(tokens.filter((t) => t.verification).map((t) => ({ id: t.id, verification: t.verification!, privilege: t.privilege, privilegeSource: t.privilegeSource })));
      cli.writeReport(io, inv, rules, { ...opts, quiet: true });
      // As `--fail-on live`: 1 when a token works, 0 otherwise.
      setExit(tokens.some((t) => t.verification?.status === 'live') ? cli.EXIT_FOUND : cli.EXIT_CLEAN);
    } catch (err) {
      if (err instanceof store.DatastoreError) throw new cli.UsageError(err.message);
      throw err;
    } finally {
      db?.close();
    }
  });
}

/** Asks on the terminal; anything but y/yes is no. */
async function confirm(question: string): Promise<boolean> {
  const readline = await import('node:readline/promises');
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

function whoAmI(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}

export function registerRevokeCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('revoke')
    .description("revoke tokens through their provider's own self-revocation API, reading each secret again where it was found")
    .option('--fingerprint <id>', 'a token by its fingerprint (or a prefix of at least 6 hex digits; repeatable)', collect, [])
    .option('--inventory <file>', 'choose from this inventory (written with --format json, run from the folder it scanned)')
    .option('--db <file>', 'choose from this datastore; revocations are recorded in it')
    .addOption(new Option('--status <status>', 'only tokens whose last verification said this').choices(STATUSES))
    .option('--provider <name>', 'only tokens of this provider (name or rule file, e.g. github)')
    .option('--rules <path>', 'also load rule files from this file or folder (repeatable); their revoke blocks are honoured', collect, [])
    .option('--verify-endpoint <key=url>', "send a provider's requests to this base URL instead (KEY: rule file such as github, or a rule id; repeatable)", endpointOption, [])
    .option('-c, --config <file>', 'config file: the fingerprint key the inventory was made with')
    .option('--root <dir>', 'the folder the inventory\'s paths are relative to (default: its scan target)')
    .option('--dry-run', 'list what would be sent where (redacted) and send nothing')
    .option('-y, --yes', 'revoke without asking (automation)')
    .option('-q, --quiet', 'no summary on stderr')
    .action(async (opts: RespondCommandOptions & { root?: string; dryRun?: boolean; yes?: boolean }) => {
      const [cli, store, org, engine, reread, respond] = await Promise.all([
        import('./main.js'), import('../store/index.js'), import('./org.js'), import('../respond/index.js'), import('../respond/reread.js'), import('./respond.js'),
      ]);
      let db: import('../store/index.js').Datastore | undefined;
      try {
        if (Boolean(opts.db) === Boolean(opts.inventory)) throw new cli.UsageError('give --inventory FILE or --db FILE: where the tokens were found (their secrets are read again from there)');
        if (!opts.fingerprint?.length && !opts.status && !opts.provider) throw new cli.UsageError('choose the tokens: --fingerprint, --status or --provider');
        const { rules, fingerprintKey } = await rulesFor(opts, io);
        const byId = new Map(rules.map((r) => [r.id, r]));
        let inv: Inventory;
        let root: string | undefined = opts.root;
        let repoPaths: Map<string, string> | undefined;
        if (opts.db) {
          db = store.Datastore.open(opts.db, { create: false });
          inv = await org.datastoreInventory(db, opts.db, rules);
          repoPaths = db.repositoryPaths();
        } else {
          try {
            inv = JSON.parse(fs.readFileSync(opts.inventory!, 'utf8')) as Inventory;
          } catch (err) {
            throw new cli.UsageError(`cannot read inventory ${opts.inventory}: ${(err as Error).message.split('\n')[0]}`);
          }
          if (!Array.isArray(inv?.tokens)) throw new cli.UsageError(`not an inventory: ${opts.inventory}`);
          if (root === undefined && inv.scan?.targets?.length === 1) root = path.resolve(inv.scan.targets[0]);
        }
        const chosen = selected(inv.tokens, byId, opts);
        const revocable = chosen.filter((t) => byId.get(t.ruleId)?.revoke);
        const cannot = chosen.length - revocable.length;
        if (!chosen.length) {
          io.stderr('shadowscan: no token matches\n');
          setExit(cli.EXIT_CLEAN);
          return;
        }
        if (cannot && !opts.quiet) io.stderr(`shadowscan: ${cannot} of ${chosen.length} token(s) have no self-revocation API: rotate them at the provider\n`);
        const held = await reread.rereadSecrets(revocable, { rules, fingerprintKey, root, repoPaths });
        const unread = revocable.filter((t) => !held.has(t.id));
        for (const t of unread) io.stderr(`warning: ${t.provider} ${t.redacted} ${t.id.slice(0, 12)}: the secret could not be read again where it was found (or no longer matches its fingerprint); not revoked\n`);
        const credentials = revocable.filter((t) => held.has(t.id)).map((t) => ({ id: t.id, rule: byId.get(t.ruleId)!, secret: held.get(t.id)!.secret, parts: held.get(t.id)!.parts }));
        const batches = engine.revokeBatches(credentials);
        const options = { endpoints: respond.endpointsOf(opts.verifyEndpoint) };
        const tokenById = new Map(inv.tokens.map((t) => [t.id, t]));
        if (opts.dryRun) {
          for (const p of engine.previewRevocations(batches, options)) {
            io.stdout(`${p.method} ${p.url}  (${p.tokens.length} token(s): ${p.tokens.map((id) => `${tokenById.get(id)?.redacted ?? ''} ${id.slice(0, 12)}`).join(', ')}) [${p.ruleId}]\n`);
            for (const [k, v] of Object.entries(p.headers)) io.stdout(`  ${k}: ${v}\n`);
            if (p.body !== undefined) io.stdout(`  body: ${p.body}\n`);
          }
          if (!opts.quiet) io.stderr(`shadowscan: dry run: ${credentials.length} token(s) in ${batches.length} request(s); nothing sent\n`);
          setExit(cli.EXIT_CLEAN);
          return;
        }
        if (!batches.length) {
          setExit(unread.length ? cli.EXIT_ERROR : cli.EXIT_CLEAN);
          return;
        }
        if (!opts.yes) {
          if (!process.stdin.isTTY || !io.isTTY) throw new cli.UsageError('not a terminal: pass --yes to revoke without asking (or --dry-run to see what would be sent)');
          const providers = [...new Set(credentials.map((c) => c.rule.provider))].join(', ');
          if (!(await confirm(`Revoke ${credentials.length} token(s) at ${providers}? This cannot be undone. [y/N] `))) {
            io.stderr('shadowscan: nothing revoked\n');
            setExit(cli.EXIT_CLEAN);
            return;
          }
        }
        const outcomes = await engine.revokeCredentials(batches, options);
        const by = whoAmI();
        const when = new Date().toISOString();
        for (const o of outcomes) {
          const t = tokenById.get(o.id);
          db?.recordRevocation(o.id, { status: o.status, revokedAt: when, by, ...(o.detail ? { detail: o.detail } : {}) });
          io.stdout(`${o.status.padEnd(8)} ${t?.provider ?? ''} ${t?.redacted ?? ''} ${o.id.slice(0, 12)}${o.detail ? ` (${o.detail})` : ''}\n`);
        }
        const failed = outcomes.filter((o) => o.status === 'failed').length + unread.length;
        if (!opts.quiet) io.stderr(`shadowscan: ${outcomes.length - (failed - unread.length)} revoked, ${failed} not${db ? `; recorded in ${opts.db}` : ''}\n`);
        setExit(failed ? cli.EXIT_ERROR : cli.EXIT_CLEAN);
      } catch (err) {
        if (err instanceof store.DatastoreError) throw new cli.UsageError(err.message);
        throw err;
      } finally {
        db?.close();
      }
    });
}
