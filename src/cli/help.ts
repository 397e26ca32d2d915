// What `--help` shows beyond commander's lists: two or three examples and the exit codes of every command, defaults
// written as the README writes them (`.`, `text`, not `"."`, `"text"`, and no `[]` for a repeatable option), and
// required options marked. One table for every command, so that a new command without examples fails its test.
import type { Argument, Command, Help, Option } from 'commander';

const FOUND = [
  '0  nothing found (no report-tier token outside the baseline)',
  '1  at least one report-tier token found',
  '2  usage or runtime error (one line on stderr; --debug adds the stack)',
];
/** Scans that take --verify: `--fail-on live` narrows exit code 1. */
const VERIFIED_FOUND = '   (with --verify --fail-on live: only when a token\'s provider says it is live)';
const SCANNED = [FOUND[0], FOUND[1], VERIFIED_FOUND, FOUND[2]];
const DONE = ['0  done', '2  usage or runtime error (one line on stderr; --debug adds the stack)'];

interface CommandHelp {
  /** [command line, what it does]. */
  examples: Array<[string, string]>;
  exitCodes: string[];
}

/** Keyed by the command's path below `shadowscan` ('' is the program itself). */
export const COMMAND_HELP: Record<string, CommandHelp> = {
  '': {
    examples: [
      ['shadowscan scan .', 'the files under the current folder'],
      ['shadowscan history --format json -o inventory.json', 'every commit of the repository, as an inventory'],
      ['shadowscan install-hook', 'block commits that add a token'],
    ],
    exitCodes: FOUND,
  },
  scan: {
    examples: [
      ['shadowscan scan', 'the current folder, as text'],
      ['shadowscan scan src config --format sarif -o shadowscan.sarif', 'two folders, SARIF for code scanning'],
      ["shadowscan scan . --exclude 'test/fixtures/**' --max-file-size 10MB", 'skip a folder and files over 10 MB'],
    ],
    exitCodes: SCANNED,
  },
  history: {
    examples: [
      ['shadowscan history', 'every commit of every branch, tag and stash of this repository'],
      ['shadowscan history --range origin/main..HEAD', 'only lines the commits of this branch add'],
      ["shadowscan history ../service --since '2024-01-31' --format csv --csv-bom -o tokens.csv", 'newer commits, for a spreadsheet'],
    ],
    exitCodes: SCANNED,
  },
  staged: {
    examples: [
      ['shadowscan staged', 'what `git commit` would record now (what the pre-commit hook runs)'],
      ['shadowscan staged --no-baseline', 'report known tokens too'],
    ],
    exitCodes: ['0  nothing new in the staged change (the commit may go ahead)', '1  a report-tier token in the lines the commit adds (the commit is blocked)', FOUND[2]],
  },
  rules: {
    examples: [
      ['shadowscan rules list', 'every rule: id, provider, kind, severity, privilege'],
      ['shadowscan rules check my-rules/', 'validate and test your own rule files'],
    ],
    exitCodes: ['0  done (rules check: every rule and example passed)', '2  rules check failed, or a usage or runtime error'],
  },
  'rules list': {
    examples: [
      ['shadowscan rules list', 'a table'],
      ['shadowscan rules list --format json', 'as JSON'],
    ],
    exitCodes: DONE,
  },
  'rules check': {
    examples: [
      ['shadowscan rules check', 'the built-in rules'],
      ['shadowscan rules check my-rules/ extra.yaml', 'your own rule files'],
    ],
    exitCodes: ['0  every rule compiles and every example passes', '2  a rule or example failed (listed on stderr), or a usage or runtime error'],
  },
  baseline: {
    examples: [
      ['shadowscan baseline create', 'record the tokens the current folder has now'],
      ['shadowscan baseline add --from staged 66e5b152d0f2', 'accept one staged token'],
      ['shadowscan baseline prune --dry-run', 'what a prune would drop'],
    ],
    exitCodes: DONE,
  },
  'baseline create': {
    examples: [
      ['shadowscan baseline create', 'the working tree of the current folder, into .shadowscan-baseline.json'],
      ['shadowscan baseline create --path ../service --from history', 'every commit of another repository'],
      ['shadowscan baseline create --baseline known-tokens.json', 'into another file'],
    ],
    exitCodes: DONE,
  },
  'baseline add': {
    examples: [
      ['shadowscan baseline add --from staged 66e5b152d0f2', 'one token of the staged change (as a blocked commit says)'],
      ['shadowscan baseline add --from tree', 'every report-tier token of the working tree'],
      ['shadowscan baseline add --path ../service --baseline known-tokens.json --from history 1f0c4e', 'another repository and baseline file'],
    ],
    exitCodes: DONE,
  },
  'baseline prune': {
    examples: [
      ['shadowscan baseline prune --dry-run', 'what would be dropped'],
      ['shadowscan baseline prune --from history', 'drop entries that no commit holds any more'],
      ['shadowscan baseline prune --path ../service --baseline known-tokens.json', 'another folder and baseline file'],
    ],
    exitCodes: DONE,
  },
  'install-hook': {
    examples: [
      ['shadowscan install-hook', 'this repository (respects core.hooksPath)'],
      ['shadowscan install-hook --chain', 'keep the existing pre-commit hook and run it first'],
      ['shadowscan install-hook ../service --force', 'replace the hook of another repository (a copy is kept)'],
    ],
    exitCodes: DONE,
  },
  'uninstall-hook': {
    examples: [
      ['shadowscan uninstall-hook', 'this repository'],
      ['shadowscan uninstall-hook ../service', 'another repository'],
    ],
    exitCodes: DONE,
  },
  org: {
    examples: [
      ['shadowscan org /srv/mirrors --db org.db --format html -o inventory.html', 'every repository under a folder, incrementally'],
      ['shadowscan org --repos all.txt --shard 2/8 --format json -o shard-2.json', 'one slice of a list, for a CI matrix'],
      ['shadowscan org --github my-org --db org.db --format html -o inventory.html', 'a GitHub organisation, mirrored and fetched again on each run (token: GITHUB_TOKEN)'],
    ],
    exitCodes: [FOUND[0], FOUND[1], VERIFIED_FOUND, '2  usage or runtime error, or every repository failed'],
  },
  merge: {
    examples: [
      ['shadowscan merge shard-*.json -o inventory.json', 'inventories into one'],
      ['shadowscan merge shard-*.json --format html -o inventory.html', 'into a report'],
      ['shadowscan merge shard-*.db -o all.db', 'datastores into one'],
    ],
    exitCodes: FOUND,
  },
  inventory: {
    examples: [
      ['shadowscan inventory diff --db org.db', 'tokens new since the previous run, and tokens gone'],
      ['shadowscan inventory show --db org.db --format audit -o audit.md', "the datastore's inventory as an assessor's report"],
    ],
    exitCodes: ['0  no new report-tier token (diff); nothing found (show)', '1  a new report-tier token (diff); a report-tier token (show)', FOUND[2]],
  },
  'inventory diff': {
    examples: [
      ['shadowscan inventory diff --db org.db', 'the last complete run against the one before'],
      ['shadowscan inventory diff --db org.db --from 3 --to 7 --format json', 'two given runs, as JSON'],
    ],
    exitCodes: ['0  no new report-tier token', '1  at least one new report-tier token', FOUND[2]],
  },
  'inventory show': {
    examples: [
      ['shadowscan inventory show --db org.db', 'as text'],
      ['shadowscan inventory show --db org.db --format html -o inventory.html', 'as a self-contained page'],
      ['shadowscan inventory show --db org.db --min-score 0.8 --format csv --csv-bom -o tokens.csv', 'tiers decided again, for a spreadsheet'],
    ],
    exitCodes: FOUND,
  },
  'inventory verify': {
    examples: [
      ['shadowscan inventory verify --db org.db', "ask each stored token's provider whether it still works"],
      ['shadowscan inventory verify --db org.db --provider github --verify-endpoint github=https://ghe.corp/api/v3', 'GitHub tokens, against GitHub Enterprise Server'],
    ],
    exitCodes: ['0  no token verified live', '1  at least one token is live', FOUND[2]],
  },
  revoke: {
    examples: [
      ['shadowscan revoke --db org.db --status live --provider github --dry-run', 'what would be sent where, redacted'],
      ['shadowscan revoke --db org.db --status live --provider github --yes', 'revoke them, recorded in the datastore'],
      ['shadowscan revoke --inventory inventory.json --fingerprint 0123abcd45', 'one token of an inventory (asks first)'],
    ],
    exitCodes: ['0  done (or nothing chosen, or declined)', '2  a revocation failed, a secret could not be read again, or a usage or runtime error'],
  },
  explain: {
    examples: [
      ['shadowscan explain src/app.py:42', 'every candidate on line 42, with its score'],
      ['shadowscan explain config/.env:3 --config ci.shadowscan.yaml', 'with another config'],
    ],
    exitCodes: DONE,
  },
};

/** `scan`, `baseline create`, ...: the command's words after `shadowscan`. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export function helpText(entry: CommandHelp): string {
  const examples = entry.examples.map(([line, what]) => `  # ${what}\n  $ ${line}`);
  return `\nExamples:\n${examples.join('\n')}\n\nExit codes:\n${entry.exitCodes.map((l) => `  ${l}`).join('\n')}\n`;
}

/** A default as a user types it: `.` rather than `"."`, `text` rather than `"text"`; nothing for an empty list. */
function defaultText(value: unknown, description: string | undefined): string | undefined {
  if (description) return description;
  if (Array.isArray(value)) return value.length ? value.join(' ') : undefined;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/** Commander's help, with the option and argument notes written as the README writes them. */
const helpConfiguration: Partial<Help> = {
  optionDescription(option: Option): string {
    const notes: string[] = [];
    if (option.mandatory) notes.push('required');
    if (option.argChoices) notes.push(`one of: ${option.argChoices.join(', ')}`);
    // A flag's default (true/false) is for the program, not the reader.
    if (option.defaultValue !== undefined && (option.required || option.optional)) {
      const d = defaultText(option.defaultValue, option.defaultValueDescription);
      if (d !== undefined) notes.push(`default: ${d}`);
    }
    return notes.length ? `${option.description} (${notes.join('; ')})` : option.description;
  },
  argumentDescription(argument: Argument): string {
    const d = argument.defaultValue !== undefined ? defaultText(argument.defaultValue, argument.defaultValueDescription) : undefined;
    return d !== undefined ? `${argument.description} (default: ${d})` : argument.description;
  },
};

/** Gives the program and every command below it the help configuration, their examples and their exit codes. */
export function addCommandHelp(program: Command): void {
  const visit = (cmd: Command) => {
    cmd.configureHelp(helpConfiguration);
    // Required options in the usage line too: `inventory diff --db <file> [options]`.
    const required = cmd.options.filter((o) => o.mandatory).map((o) => o.flags.replace(/^-\w, /, ''));
    if (required.length) cmd.usage(`${required.join(' ')} ${cmd.usage()}`);
    const entry = COMMAND_HELP[commandPath(cmd)];
    if (entry) cmd.addHelpText('after', helpText(entry));
    for (const sub of cmd.commands) visit(sub);
  };
  visit(program);
}
