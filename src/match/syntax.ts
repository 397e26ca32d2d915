// What kind of file a path is, what role it plays in its project, and what role a line plays in its file.
// The assignment grammar reads each family's syntax; the scorer weighs path and line roles.

/**
 * Families of files that write key/value pairs the same way. `code-*` families treat unquoted values as
 * identifiers; `config` and `text` families treat them as literal text.
 */
export type FileFamily =
  | 'code-c' | 'code-script' | 'code-php' | 'code-go' | 'shell' | 'json' | 'yaml' | 'config' | 'xml' | 'build' | 'sql' | 'docs'
  | 'style' | 'text';

export type PathRole = 'test' | 'example' | 'docs' | 'vendored' | 'source';
export type LineRole = 'code' | 'comment' | 'documentation' | 'test-assertion' | 'log';

// Without a prototype: a file named `constructor` or `x.__proto__` must not find Object's members here.
const EXTENSION_FAMILY: Record<string, FileFamily> = Object.create(null);
function family(f: FileFamily, exts: string): void {
  for (const e of exts.split(' ')) EXTENSION_FAMILY[e] = f;
}
family('code-c', 'c h cc cpp cxx hpp hh hxx cs java kt kts scala sc groovy gradle js jsx mjs cjs ts tsx mts cts swift rs dart m mm vue svelte fs fsx fsi vb clj cljs cljc hs elm ino pde sol zig v nim cr d jsonnet libsonnet map');
family('code-script', 'py pyw pyi rb rake gemspec ps1 psm1 psd1 pl pm t lua r jl ex exs erl tcl awk coffee nix');
// Shell: `KEY=value` unquoted is a literal, as in .env files.
family('shell', 'sh bash zsh ksh fish bat cmd envrc');
family('style', 'css scss sass less styl');
family('code-php', 'php phtml php3 php4 php5 php7 phps inc');
family('code-go', 'go');
family('json', 'json json5 jsonc ipynb har jsonl ndjson tfstate geojson webmanifest babelrc eslintrc prettierrc');
family('yaml', 'yml yaml sls');
family('config', 'toml ini cfg conf config properties env tfvars hcl tf nomad cnf prefs reg plist-ini pgpass netrc npmrc pypirc yarnrc gitconfig editorconfig desktop service');
family('xml', 'xml html htm xhtml jsp jspx aspx ascx asp cshtml vbhtml razor csproj vbproj fsproj props targets nuspec resx xaml plist svg drawio tm7 vm wsdl xsd xsl xslt pom config-xml');
family('build', 'mk mak make dockerfile containerfile');
family('sql', 'sql psql mysql pgsql ddl dml hql cql');
family('docs', 'md markdown mdx mkd rst adoc asciidoc txt text rtf wiki org tex textile pod');

const NAME_FAMILY: Record<string, FileFamily> = Object.assign(Object.create(null), {
  makefile: 'build', gnumakefile: 'build', dockerfile: 'build', containerfile: 'build', procfile: 'build', vagrantfile: 'code-script',
  rakefile: 'code-script', gemfile: 'code-script', podfile: 'code-script', fastfile: 'code-script', appfile: 'code-script',
  jenkinsfile: 'code-c', '.env': 'config', '.npmrc': 'config', '.netrc': 'config', '_netrc': 'config', '.pgpass': 'config',
  '.pypirc': 'config', '.gitconfig': 'config', '.git-credentials': 'text', '.esmtprc': 'config', '.muttrc': 'config',
  '.s3cfg': 'config', '.boto': 'config', '.htpasswd': 'config', credentials: 'config', config: 'config', '.bashrc': 'shell',
  '.bash_profile': 'shell', '.profile': 'shell', '.zshrc': 'shell', '.envrc': 'shell', '.dockercfg': 'json',
});

/** The family a path's syntax belongs to: by file name, then extension; `.env.local` and `app.env.example` are config. */
export function fileFamily(relPath: string): FileFamily {
  const base = relPath.slice(relPath.lastIndexOf('/') + 1).toLowerCase();
  // .NET configuration is XML: web.config, app.config, MyApp.exe.config.
  if (/^(?:web|app|machine)\.config$|\.(?:exe|dll)\.config$|\.config\.xml$/.test(base)) return 'xml';
  const byName = NAME_FAMILY[base];
  if (byName) return byName;
  if (base.startsWith('.env') || base.endsWith('.env')) return 'config';
  if (base.startsWith('dockerfile') || base.endsWith('.dockerfile')) return 'build';
  if (base.startsWith('makefile')) return 'build';
  const parts = base.split('.');
  // `settings.py.example`, `config.json.dist`: the extension before a template suffix tells the syntax.
  for (let i = parts.length - 1; i >= 1; i--) {
    const f = EXTENSION_FAMILY[parts[i]];
    if (f) return f;
    if (!/^(?:example|sample|dist|template|tmpl|tpl|bak|orig|old|local|default|defaults|in|j2|jinja|erb|txt)$/.test(parts[i])) break;
  }
  if (base.endsWith('.config') && !base.includes('.xml')) return 'xml'; // web.config, app.config
  return 'text';
}

export function isCodeFamily(f: FileFamily): boolean {
  return f === 'code-c' || f === 'code-script' || f === 'code-php' || f === 'code-go';
}

const VENDORED = /(?:^|\/)(?:node_modules|vendor|third[_-]?party|bower_components|site-packages|dist-packages|\.venv|venv|Pods|\.yarn|jspm_packages|external|deps)\//;
const TEST_DIR = /(?:^|\/)(?:tests?|spec|specs|__tests__|__test__|testdata|test[_-]data|testing|fixtures?|__fixtures__|mocks?|__mocks__|stubs?|e2e|cypress|testcases?|unittests?|integration[_-]tests?)\//i;
const TEST_FILE = /(?:^|\/)(?:test_[^/]*|[^/]*(?:[._-](?:test|tests|spec|specs|mock|mocks|fixture|fixtures|stub))\.[a-z0-9]+|[^/]*Tests?\.(?:java|kt|cs|scala|swift|go|php)|conftest\.py)$/;
const EXAMPLE = /(?:^|\/)(?:examples?|samples?|demos?|tutorials?|playground|sandbox|boilerplate|templates?|skeleton|quickstart|starter)\/|(?:^|[/._-])(?:example|examples|sample|samples|demo|template|tmpl|dist|skel)(?:[._-][^/]*)?$/i;
const DOCS = /(?:^|\/)(?:docs?|documentation|man|wiki|site)\/|\.(?:md|markdown|mdx|rst|adoc|asciidoc|txt)$/i;

/** What a path is for: tests and fixtures, examples and templates, documentation, vendored code, or the project's own. */
export function pathRole(relPath: string): PathRole {
  if (VENDORED.test(relPath)) return 'vendored';
  if (TEST_DIR.test(relPath) || TEST_FILE.test(relPath)) return 'test';
  if (EXAMPLE.test(relPath)) return 'example';
  if (DOCS.test(relPath)) return 'docs';
  return 'source';
}

const COMMENT_STARTS: Record<FileFamily, string[]> = {
  'code-c': ['//', '/*', '* ', '*\t', '*/', '#!'],
  'code-script': ['#', '--', "'"],
  shell: ['#', 'REM ', 'rem ', '::'],
  style: ['/*', '*', '//'],
  'code-php': ['//', '#', '/*', '* ', '*\t'],
  'code-go': ['//', '/*', '* '],
  json: ['//'],
  yaml: ['#'],
  config: ['#', ';', '!'],
  xml: ['<!--'],
  build: ['#'],
  sql: ['--', '/*', '#'],
  docs: [],
  text: ['#', '//', ';', '--'],
};

const ASSERTION = /\b(?:assert\w*|expect\w*|should|must|verify|check(?:That)?|EXPECT_\w+|ASSERT_\w+|to(?:Be|Equal|StrictEqual|Match)|assertThat|Assert\.\w+|is\(|ok\()\b/;
const LOG_LINE = /^(?:\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d|\[?\d\d:\d\d:\d\d|#\d+ \d+\.\d+ |\[(?:INFO|DEBUG|WARN|WARNING|ERROR|TRACE|FATAL)\]|(?:INFO|DEBUG|WARN|WARNING|ERROR|TRACE|FATAL)[: ]|\w{3} [ \d]\d \d\d:\d\d:\d\d )/;
const LOG_CALL = /\b(?:console\.(?:log|info|warn|error|debug)|log(?:ger)?\.(?:info|debug|warn|warning|error|trace|fatal)|print(?:ln|f)?|puts|echo|System\.out\.print\w*|fmt\.Print\w*|logging\.\w+)\s*\(/;

/**
 * The role of a line: a comment (commented-out code counts: it still holds the value), prose documentation,
 * a test assertion, a log line, or code/config.
 */
export function lineRole(line: string, fam: FileFamily, inDocsCode = false): LineRole {
  const t = line.trimStart();
  if (LOG_LINE.test(t)) return 'log';
  if (fam === 'docs') {
    if (inDocsCode || /^(?: {4}|\t)/.test(line) || /^(?:\$ |> |>>> |[A-Z_]+=)/.test(t)) return 'code';
    return 'documentation';
  }
  for (const c of COMMENT_STARTS[fam]) {
    if (t.startsWith(c)) {
      // `#define`, `#include`, `#!`: preprocessor and shebang lines are code.
      if (c === '#' && /^#(?:define|include|if|ifdef|ifndef|else|endif|pragma|undef|region|endregion)\b/.test(t)) break;
      return 'comment';
    }
  }
  if (ASSERTION.test(line)) return 'test-assertion';
  if (LOG_CALL.test(line)) return 'log';
  return 'code';
}
