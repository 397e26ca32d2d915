#!/usr/bin/env python3
# Regenerates rules/generic.yaml: python3 scripts/gen-generic-rules.py > rules/generic.yaml
# Builds rules/generic.yaml: the secret-named-key rules come in two families (passwords, other secrets)
# that share their shapes, so they are generated from one table rather than written twice.
import yaml, sys

PASS_WORDS = r'(?:password|passwd|passphrase|passcode|pwd|userpass|pass)'
SECRET_WORDS = r'(?:secret|token|api[_.-]?key|apikey|access[_.-]?key|secret[_.-]?key|private[_.-]?key|client[_.-]?secret|auth[_.-]?key|authkey|auth|credentials?|signing[_.-]?key|encryption[_.-]?key|master[_.-]?key)'
# identifier chars around the keyword; "pass" must start a word part so that "compass" and "bypass" are not keys.
CAMEL = {
    'password': r'(?:Password|Passwd|Passphrase|Passcode|Pwd|Pass)',
    'secret': r'(?:Secret|Token|ApiKey|Apikey|AccessKey|SecretKey|PrivateKey|ClientSecret|AuthKey|Credentials?|SigningKey|EncryptionKey|MasterKey)',
}
def key(words, fam):
    # The key is matched from its keyword on: what precedes it does not matter, and a pattern that starts at
    # a literal keeps RE2's DFA small (complex key prefixes cost ~100 ms of DFA warm-up per rule per thread).
    # A suffix must start with a separator or a capital, so "tokenizer" and "passengers" are not keys.
    return words + r'(?-i:(?:[_.-]|[A-Z0-9])[A-Za-z0-9_.-]*)?'

common = dict(provider='Generic', generic=True)

USERNAME = r'(?i)\b(?:user(?:_?name)?|login|uid|db_?user|admin_?user)["\']?\s*[:=]\s*["\']?([^\s"\',;<>{}$]{2,64})'
# Prose documentation: examples, badges with public tokens, and "do not pass `origin`" sentences.
DOC_GLOBS = ['**/*.{md,markdown,mdx,rst,adoc}']
SOURCE_GLOBS = ['**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx,py,rb,go,java,kt,scala,cs,php,c,cc,cpp,h,hpp,rs,swift,m,mm,dart,lua,pl,pm,groovy,vue,svelte,map}']

def rule(id, name, kind, pattern, keywords, minEntropy, examples, negatives, severity='high', confidence='low', privilege='unknown', reason=None, desc=None, excludePaths=None):
    r = dict(id=id, name=name, kind=kind, pattern=pattern, keywords=keywords, minEntropy=minEntropy,
             confidence=confidence, severity=severity, privilege=privilege,
             privilegeReason=reason or 'Unknown until the service it unlocks is identified; a hard-coded credential usually has the full rights of its account.',
             generic=True, lifetime='long-lived',
             rotate='https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html',
             references=['https://cwe.mitre.org/data/definitions/798.html'],
             examples=[dict(text=e[0], secret=e[1], **({'parts': e[2]} if len(e) > 2 else {})) for e in examples], negativeExamples=negatives,
             # Every generic pattern matches on one line: the matcher only reads the lines with a keyword.
             window=0)
    if desc: r['description'] = desc
    r['excludePaths'] = (excludePaths or []) + DOC_GLOBS
    if kind == 'password' and id.startswith('generic.password.'):
        # A password is only half a credential: the user name in the same block is its companion part.
        r['parts'] = [dict(name='username', pattern=USERNAME, within=3, required=False)]
    return r

PW_KW = ['pass', 'pwd']
SEC_KW = ['secret', 'token', 'key', 'auth', 'credential']

rules = []
for fam, words, kws, kind, ent, name in [
    ('password', PASS_WORDS, PW_KW, 'password', 1.5, 'Password'),
    ('secret', SECRET_WORDS, SEC_KW, 'secret-key', 2.5, 'Secret'),
]:
    K = key(words, fam)
    # 1. A quoted literal assigned to a secret-named key: code in most languages, JSON, YAML, TOML, HCL.
    # A comma separates key and value only as the first two arguments of a call (define("KEY", "v")), never in a list.
    quoted = (r'(?i)(?:' + K + r'["\'\]]*\s*(?::\s*[A-Za-z\[\]<>]+\s*)?(?:\s+(?:string|str|&str))?\s*(?:(?::=|=>|=|:|\()\s*)?|\(\s*["\'][A-Za-z0-9_.$-]*?' + K + r'["\']\s*,\s*)'
              r'(?:"(?P<secret>[^"\s<>{}]{4,300})"|\'([^\'\s<>{}]{4,300})\'|`([^`\s<>{}]{4,300})`)')
    # 1b. A literal used as the fallback of an environment lookup: process.env.X || "v", getenv(X) ?: "v".
    fallback = (r'(?i)' + K + r'[\w.\[\]\'"()]{0,40}\s*(?:\|\||\?\?|\?:|\s:|\bor\b)\s*'
                r'(?:"(?P<secret>[^"\s<>{}]{4,300})"|' + "'" + r"([^'\s<>{}]{4,300})" + "'" + r'|`([^`\s<>{}]{4,300})`)')
    # 2. An unquoted value at the start of a line: .env, INI, .properties, YAML, shell, Dockerfile ENV/ARG.
    unquoted = (r'(?im)^[ \t]*(?:#[ \t]*)?(?:export[ \t]+|set[ \t]+|ENV[ \t]+|ARG[ \t]+|-[ \t]+)?[$]?[A-Za-z0-9_.-]*?' + K +
                r'[ \t]*(?:=|:|[ \t])[ \t]*(?P<secret>[^\s"\'#;,$<>{}\[\]]{4,300});?[ \t]*(?:#.*)?$')
    # 3. `${NAME:-default}` shell defaults and `-e NAME=value` / `--build-arg NAME=value` flags.
    inline = (r'(?i)(?:\$\{|-e[ \t]+|--env[ \t=]+|--build-arg[ \t=]+)[A-Za-z0-9_.-]*?' + K + r'(?::-|=)["\']?(?P<secret>[^\s"\'$<>{}]{4,300})')
    # 4. A secret-named key in a URL query string.
    query = r'(?i)[?&][A-Za-z0-9_.-]*?' + K + r'=(?P<secret>[^&\s"\'#$<>{}]{4,300})'
    # 5. XML elements and attributes: <password>v</password>, password="v", <add key="DbPassword" value="v"/>.
    xml = (r'(?i)(?:<' + K + r'(?:\s[^>]*)?>(?P<secret>[^<\s]{4,300})</|\s' + K + r'\s*=\s*"([^"\s<>{}]{4,300})")')
    # 6. .NET appSettings: <add key="DbPassword" value="v" />.
    appsettings = r'(?i)<add\s+key="[^"]*' + words + r'[^"]*"\s+value="(?P<secret>[^"\s<>{}]{4,300})"'
    if fam == 'password':
        ex_q = [("db_password = 'Tr0ub4dor&3x'", 'Tr0ub4dor&3x'), ('const smtpPassword: string = "k9#Lm2$vQ8"', 'k9#Lm2$vQ8'), ('"password": "hunter22",', 'hunter22'), ('$config[\'db\'][\'password\'] = \'mP4ssw0rd99\';', 'mP4ssw0rd99')]
        ex_f = [('const dbPassword = process.env.DB_PASSWORD || "Wq9Lm3Zx";', 'Wq9Lm3Zx'), ("DB_PASSWORD = os.getenv('DB_PASSWORD') or 'Kt8Hy2Nb'", 'Kt8Hy2Nb')]
        ex_u = [('DB_PASSWORD=admin12345', 'admin12345'), ('DB_USER=app_rw\nDB_PASSWORD=Kq8Wz3Lp', 'Kq8Wz3Lp', {'username': 'app_rw'}), ('  password: RedisPass1!', 'RedisPass1!'), ('spring.datasource.password=Qw3rtyZ9', 'Qw3rtyZ9')]
        ex_i = [('export DB_PASS=${DB_PASS:-Sup3rS3cret}', 'Sup3rS3cret'), ('docker run -e MYSQL_ROOT_PASSWORD=r00tPw0rd9 mysql', 'r00tPw0rd9')]
        ex_qs = [('jdbc:mysql://db/app?user=admin&password=Jk7hGf3d', 'Jk7hGf3d'), ('https://api.local/login?pass=W8mnB2xq', 'W8mnB2xq')]
        ex_x = [('<password>Zx9Qw2Er</password>', 'Zx9Qw2Er'), ('<server host="ftp.local" password="Hy6Tg2Wq"/>', 'Hy6Tg2Wq')]
        ex_a = [('<add key="DbPassword" value="Pl7Mk3Nj" />', 'Pl7Mk3Nj'), ('  <add key="SmtpPass" value="Qz4Wx8Ec"/>', 'Qz4Wx8Ec')]
        neg = ['password = os.environ["DB_PASSWORD"]', 'password: ${DB_PASSWORD}', 'passengers = "north-north-west"', "password = '{{ password }}'", 'password: changeme']
    else:
        ex_q = [("API_KEY = 'q8Rz2LkP0vXw7NmB4tYc'", 'q8Rz2LkP0vXw7NmB4tYc'), ('const authToken = "f3a9c1e07b4d2a8e6f1c3b5d7a9e0c2f";', 'f3a9c1e07b4d2a8e6f1c3b5d7a9e0c2f'), ('"client_secret": "Zt7QmW3pLx9RkV2sNb6Y"', 'Zt7QmW3pLx9RkV2sNb6Y')]
        ex_f = [('const STATIC_TOKEN = process.env.API_TOKEN || "a8f3c9e1b7d24f6a";', 'a8f3c9e1b7d24f6a'), ("token = ENV['GH_TOKEN'] ?: 'Rz4Kq8Wm2Xp7Lt9B'", 'Rz4Kq8Wm2Xp7Lt9B')]
        ex_u = [('SERVICE_API_TOKEN=Yk3mQ9zLp2Xw7Rt4', 'Yk3mQ9zLp2Xw7Rt4'), ('  secret_key_base: 9c1e4f7a2b8d3e6f0a5c9b2d7e4f1a8c', '9c1e4f7a2b8d3e6f0a5c9b2d7e4f1a8c'), ('ENV APIKEY Qm8Kx2Lp9Zr4Tw7V', 'Qm8Kx2Lp9Zr4Tw7V')]
        ex_i = [('export API_TOKEN=${API_TOKEN:-Hq3Zm8Kx2Lp9Wr4T}', 'Hq3Zm8Kx2Lp9Wr4T'), ('docker run -e DRONE_TOKEN="Vb7Nm3Qz8Lk2Xp5R" image', 'Vb7Nm3Qz8Lk2Xp5R')]
        ex_qs = [('curl "https://api.local/v1/items?api_key=Gh5Jk8Lm2Qw9Zx3C"', 'Gh5Jk8Lm2Qw9Zx3C'), ('GET /feed?access_token=Rt6Yu2Io9Pa4Sd8F HTTP/1.1', 'Rt6Yu2Io9Pa4Sd8F')]
        ex_x = [('<apiKey>Kf8Hs3Lq9Wz2Xc7V</apiKey>', 'Kf8Hs3Lq9Wz2Xc7V'), ('<endpoint url="https://api.local" token="Pq7Wd3Rt9Yu2Io5P"/>', 'Pq7Wd3Rt9Yu2Io5P')]
        ex_a = [('<add key="StripeSecretKey" value="Mn4Bv8Cx2Zl6Kj9H" />', 'Mn4Bv8Cx2Zl6Kj9H'), ('<add key="ApiToken" value="Lk8Jh3Gf7Ds2Qw9E"/>', 'Lk8Jh3Gf7Ds2Qw9E')]
        neg = ['const token = process.env.API_TOKEN;', 'api_key: "<API_KEY>"', 'tokenizer = "bert-base-uncased"', 'secret = "${SECRET}"', 'API_KEY=your-api-key-here']
    what = 'password' if fam == 'password' else 'secret (token, API key, client secret)'
    rules += [
        rule(f'generic.{fam}.assignment', f'{name} assigned in code or config', kind, quoted, kws, ent, ex_q, neg,
             desc=f'A hard-coded {what}: a quoted literal assigned to a {fam}-named key.'),
        rule(f'generic.{fam}.env-fallback', f'{name} as the fallback of an environment lookup', kind, fallback, kws, ent,
             ex_f, neg, desc=f'A hard-coded {what} used when an environment variable is unset: it ships in every build.'),
        # In source code an unquoted value is an identifier, not a literal: config files and scripts only.
        rule(f'generic.{fam}.config-line', f'{name} in a config line', kind, unquoted, kws, ent, ex_u, neg,
             desc=f'A {what} as the value of a {fam}-named key in .env, INI, properties, YAML or shell.', excludePaths=SOURCE_GLOBS),
        rule(f'generic.{fam}.inline-default', f'{name} in a shell default or container flag', kind, inline, kws, ent, ex_i, neg,
             desc=f'A {what} given as a shell default (${{NAME:-value}}) or a container flag (-e NAME=value).'),
        rule(f'generic.{fam}.query-param', f'{name} in a URL query string', kind, query, kws, ent, ex_qs, neg,
             desc=f'A {what} passed in a URL query string, where logs and proxies record it.'),
        rule(f'generic.{fam}.xml', f'{name} in XML', kind, xml, kws, ent, ex_x, neg,
             desc=f'A {what} in an XML element or attribute (settings.xml, IDE and FTP client files).'),
        rule(f'generic.{fam}.appsettings', f'{name} in .NET appSettings', kind, appsettings, ['<add'], ent, ex_a, neg,
             desc=f'A {what} in a .NET app.config or web.config appSettings entry.'),
    ]

rules += [
    rule('generic.url.credentials', 'Credentials in a URL', 'password',
         r'(?i)\b[a-z][a-z0-9+.-]{1,30}://[^\s:/@"\'<>]{1,100}:(?P<secret>[^\s/@"\'<>]{5,200})@[A-Za-z0-9_-][A-Za-z0-9_.-]*',
         ['://'], 1.5,
         [('DATABASE_URL=postgres://app:Vq8zLm3Kp2@db.internal:5432/app', 'Vq8zLm3Kp2'), ('git clone https://deploy:Rt6Yu2Io9Pa4@git.corp.local/org/repo.git', 'Rt6Yu2Io9Pa4'), ('amqp://root:W3xKp9Lm@mq.local:5672/', 'W3xKp9Lm')],
         ['postgres://app:${DB_PASSWORD}@db:5432/app', 'https://user:password@example.com', 'postgres://localhost:5432/app', 'redis://:$REDIS_PASSWORD@cache:6379'],
         severity='high', desc='A user name and password inside a URL (scheme://user:password@host): database, message-broker, git and HTTP URLs.'),
    rule('generic.http.basic-auth', 'HTTP Basic authorization header', 'credentials',
         r'(?i)\bauthorization["\']?\s*[:=,]\s*["\']?basic\s+(?P<secret>[A-Za-z0-9+/]{8,300}={0,2})', ['basic'], 3.0,
         [('curl -H "Authorization: Basic dXNlcjpTM2NyM3RQNHNz" https://api.local', 'dXNlcjpTM2NyM3RQNHNz'), ("headers = {'Authorization': 'Basic YWRtaW46UXc4ZXJUeTJ1'}", 'YWRtaW46UXc4ZXJUeTJ1')],
         ['Authorization: Basic ${BASIC_AUTH}', 'Authorization: Basic <credentials>'],
         desc='A base64 user:password pair in an HTTP Authorization header.'),
    rule('generic.http.bearer-token', 'HTTP Bearer token', 'oauth-token',
         r'(?i)\bauthorization["\']?\s*[:=,]\s*["\']?bearer\s+(?P<secret>[A-Za-z0-9._~+/=-]{16,})', ['bearer'], 3.0,
         [('curl -H "Authorization: Bearer 9fK2mQ8xLz3Rw7Tp5Vn1" https://api.local', '9fK2mQ8xLz3Rw7Tp5Vn1'), ("fetch(url, {headers: {Authorization: 'Bearer Hq7Lm2Zx9Kp4Wr8Tn3Vb'}})", 'Hq7Lm2Zx9Kp4Wr8Tn3Vb')],
         ['Authorization: Bearer ${TOKEN}', "Authorization: 'Bearer ' + token"],
         desc='A token in an HTTP Authorization: Bearer header.'),
    rule('generic.cli.credentials-flag', 'Credentials passed on a command line', 'password',
         r'(?i)(?:\s|^)(?:-u|--user|--proxy-user|--http-user)[ \t=]+["\']?[^\s:"\'$]{1,64}:(?P<secret>[^\s"\'$]{3,200})', ['-u ', '--user', '--proxy-user'], 1.5,
         [('curl -u admin:Zq8Lm3Kx9 https://localhost', 'Zq8Lm3Kx9'), ('curl --proxy-user ops:Wv7Np2Rt https://internal', 'Wv7Np2Rt')],
         ['curl -u "$USER:$PASS" https://localhost', 'curl -u admin: https://localhost'],
         desc='A user:password pair given to curl or a similar tool on its command line.'),
    rule('generic.cli.password-flag', 'Password passed as a command-line flag', 'password',
         r'(?i)(?:\s|^)--(?:[a-z]+-)?(?:password|passwd|tlspassword|pass)[ \t=]+["\']?(?P<secret>[^\s"\'$]{3,200})', ['password', 'passwd', '--pass'], 1.5,
         [('wget --http-password=Rk8Zq3Lm https://internal/file', 'Rk8Zq3Lm'), ('mysqldump --password Tq9Wm2Xz app > dump.sql', 'Tq9Wm2Xz')],
         ['mysql --password=$MYSQL_PWD', 'psql --password'],
         desc='A password given as a command-line flag, where shell history and process lists record it.'),
    rule('generic.connection-string.password', 'Password in a connection string', 'connection-string',
         r'(?i)[;"\'](?:password|pwd)\s*=\s*(?P<secret>[^;"\'\s$<>{}]{3,200})\s*(?:;|"|\'|$)', ['password', 'pwd'], 1.5,
         [('Server=db.local;Database=App;User Id=sa;Password=Vb9Nm2Kq;', 'Vb9Nm2Kq'), ('"Driver={ODBC Driver 17};Server=tcp:sql;Uid=app;Pwd=Hy7Tr4Lp;"', 'Hy7Tr4Lp')],
         ['Server=db;User Id=sa;Password=;', 'Server=db;Password=${DB_PASSWORD};'],
         desc='A password inside a JDBC, ODBC or ADO.NET connection string.'),
    rule('generic.http.secret-header', 'Secret in an HTTP header', 'api-key',
         r'(?i)(?:-H\s*["\']|--header\s*["\']|proxy_set_header\s+|add_header\s+|more_set_headers\s+["\']?|RequestHeader\s+set\s+)[\w-]*(?:api[_-]?key|token|secret|auth[_-]?key)[\w-]*(?::\s*|\s+)["\']?(?P<secret>[^\s;"\'$<>{}]{8,300})',
         ['-H ', '-H"', "-H'", '--header', 'proxy_set_header', 'add_header', 'more_set_headers', 'RequestHeader'], 2.5,
         [('proxy_set_header X-Api-Key 8c1f4e2a-77b3-4d2e-9a61-3f0c5b7d2e19;', '8c1f4e2a-77b3-4d2e-9a61-3f0c5b7d2e19'), ('curl -H "X-Auth-Token: Qz8Lm3Kx9Rt2Wv7P" https://api.local/v1', 'Qz8Lm3Kx9Rt2Wv7P')],
         ['proxy_set_header x-apikey $apikey;', 'curl -H "X-Api-Key: ${API_KEY}" https://api.local'],
         desc='A token or API key sent in an HTTP header by curl, nginx or Apache configuration.'),
    rule('generic.terraform.variable-default', 'Secret as a Terraform variable default', 'secret-key',
         r'(?i)variable\s+"[\w-]*(?:secret|token|password|passwd|api[_-]?key|private[_-]?key|credential)[\w-]*"\s*\{[^}]{0,400}?\bdefault\s*=\s*"(?P<secret>[^"\s${}]{6,300})"',
         ['variable'], 2.5,
         [('variable "deploy_secret_token" {\n  description = "Deployment token"\n  default     = "9f2c61ab-4e0d-4c8e-b7a1-52d3e9f07c44"\n}', '9f2c61ab-4e0d-4c8e-b7a1-52d3e9f07c44'),
          ('variable "db_password" {\n  type      = string\n  sensitive = true\n  default   = "Hk8#Wq2zLm5v"\n}', 'Hk8#Wq2zLm5v')],
         ['variable "db_password" {\n  type = string\n  sensitive = true\n}', 'variable "region" {\n  default = "eu-west-1a2"\n}'],
         desc='A secret given as the default of a Terraform input variable: it is committed with the module and lands in plans and state.'),
    rule('generic.jwt', 'JSON Web Token', 'jwt',
         r'\b(?P<secret>eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,})', ['eyJ'], 3.0,
         [('const jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4NDI5IiwibmFtZSI6Im9wcyIsImlhdCI6MTcwMDAwMDAwMH0.q3Vb8Nm2Kx7Lp4Zr9Tw1Hy6Jd5Fs0Ga3Qe8Wc2Xv7B";', 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4NDI5IiwibmFtZSI6Im9wcyIsImlhdCI6MTcwMDAwMDAwMH0.q3Vb8Nm2Kx7Lp4Zr9Tw1Hy6Jd5Fs0Ga3Qe8Wc2Xv7B'),
          ('Authorization: eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhdXRoLmNvcnAiLCJzdWIiOiIxMjMifQ.Zk3Lm8Qx2Rp7Vt4Wn9Hb6Jc1Fd5Sg0Ae3Ty8Ui2Op', 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhdXRoLmNvcnAiLCJzdWIiOiIxMjMifQ.Zk3Lm8Qx2Rp7Vt4Wn9Hb6Jc1Fd5Sg0Ae3Ty8Ui2Op')],
         ['token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0."'],
         severity='medium', privilege='unknown', reason='A signed bearer token: whoever holds it acts as its subject until it expires.',
         desc='A signed JSON Web Token. Often short-lived; a long-lived or service token grants whatever its claims say.'),
]
for r in rules:
    if r['id'] == 'generic.jwt': r['lifetime'] = 'short-lived'
    # A variable block spans lines: its default sits a few lines below the `variable` keyword.
    if r['id'] == 'generic.terraform.variable-default': r['window'] = 10
doc = {'provider': 'Generic', 'rules': rules}
class D(yaml.SafeDumper): pass
def str_presenter(dumper, data):
    return dumper.represent_scalar('tag:yaml.org,2002:str', data, style="'" if any(c in data for c in '\\"#:{}[]&*!|>%@`') else None)
D.add_representer(str, str_presenter)

print(yaml.dump(doc, Dumper=D, sort_keys=False, width=1000, allow_unicode=True))
