// `shadowscan explain FILE:LINE`: every candidate the matcher saw on a line, its features, their weights and its
// score. How a user (and we) debug a miss or a false alarm. Values are redacted unless --show-secrets.
import type { Command } from 'commander';

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  isTTY: boolean;
}

interface ExplainOptions {
  config?: string;
  showSecrets?: boolean;
  minScore?: number;
}

function signed(w: number): string {
  return `${w >= 0 ? '+' : ''}${w.toFixed(2)}`;
}

export function registerExplainCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('explain')
    .description('show every candidate on one line of a file: its key, syntax form, features, weights and score')
    .argument('<file:line>', 'a file and a 1-based line number, e.g. src/app.py:42')
    .option('-c, --config <file>', 'config file (default: .shadowscan.yaml in the current folder)')
    .option('--show-secrets', 'print raw values (never do this in CI logs)')
    .action(async (where: string, opts: ExplainOptions) => {
      const [fs, path, cli, config, rulesMod, match, redact] = await Promise.all([
        import('node:fs'),
        import('node:path'),
        import('./main.js'),
        import('../scan/config.js'),
        import('../rules/compile.js'),
        import('../match/index.js'),
        import('../scan/redact.js'),
      ]);
      const m = /^(.*):(\d+)$/.exec(where);
      if (!m) throw new cli.UsageError(`expected FILE:LINE, got ${where}`);
      const [, file, lineText] = m;
      const line = Number(lineText);
      let raw: Buffer;
      try {
        raw = fs.readFileSync(file);
      } catch (err) {
        throw new cli.UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      const prepared = match.prepareContent(raw);
      if (prepared.kind === 'binary') throw new cli.UsageError(`${file} is a binary file`);
      const cfg = config.loadConfig(config.findConfigFile(opts.config, ['.']));
      const rules = cli.loadActiveRules(cfg);
      await cli.checkRulesCompile(rules);
      const matcher = new match.Matcher(rulesMod.compileRules(rules, { eager: false, extraKeywords: match.DECODE_KEYWORDS }));
      // Paths are judged as the scan would judge them: relative to the folder scanned (here, the current one).
      const rel = path.relative('.', file).split(path.sep).join('/');
      const ex = matcher.explain(prepared.content, rel, line);
      const show = (v: string) => (opts.showSecrets ? JSON.stringify(v) : redact.redactSecret(v));
      const minScore = match.DEFAULT_MIN_SCORE;
      const out: string[] = [`${rel}:${line}  (file family ${ex.family}, path role ${ex.pathRole})`];
      if (!ex.candidates.length) out.push('  no candidate from the assignment grammar on this line');
      ex.candidates.forEach((e, i) => {
        const c = e.candidate;
        out.push('');
        out.push(`candidate ${i + 1}  column ${e.column}  key ${c.key} [${c.keyInfo.cls}${c.keyInfo.modifier ? `: ${c.keyInfo.modifier}` : ''}]`);
        out.push(`  form ${c.form}, quoting ${c.quoting}, operator ${JSON.stringify(c.operator)}, line role ${c.lineRole}${c.scheme ? `, scheme ${c.scheme}` : ''}${c.username ? `, user name ${show(c.username.value)}` : ''}`);
        out.push(`  value ${show(c.value)}`);
        if (e.dropped) out.push(`  dropped: ${e.dropped}`);
        for (const ev of e.evidence) out.push(`  ${signed(ev.weight).padStart(6)}  ${ev.reason || '(form)'}`);
        if (e.score !== undefined) {
          const tier = e.review ? `review (${e.review})` : e.score >= minScore ? 'report' : `review (below ${minScore})`;
          out.push(`  score ${e.score.toFixed(3)} -> ${e.dropped ? 'not kept' : tier}${e.ruleId ? `  as ${e.ruleId}` : '  (no rule reports this key class)'}`);
        }
      });
      out.push('');
      if (ex.matches.length) {
        out.push('reported on this line:');
        for (const r of ex.matches) {
          const tier = r.review ? `review (${r.review})` : r.score >= minScore ? 'report' : 'review';
          out.push(`  ${r.ruleId}  ${show(r.secret)}  score ${r.score.toFixed(3)} ${tier}: ${r.reasons.join('; ')}`);
        }
      } else out.push('nothing reported on this line');
      io.stdout(out.join('\n') + '\n');
      setExit(cli.EXIT_CLEAN);
    });
}
