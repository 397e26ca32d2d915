// What a new user installs from: package.json's engines must hold for every production dependency (so installs do
// not warn), the licence and project links must be there, and the README's install paths must be ones that work
// from a checkout today (a local path, a git URL, a tag the release section creates), or say they need publishing.
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; dev?: boolean; link?: boolean; engines?: { node?: string } }>;
};
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

describe('package.json', () => {
  it("engines.node is within every production dependency's declared engines, and includes this Node (CI's)", () => {
    const ours = pkg.engines.node as string;
    const outside: string[] = [];
    for (const [where, p] of Object.entries(lock.packages)) {
      if (!where || p.dev || p.link || !p.engines?.node) continue;
      if (!semver.subset(ours, p.engines.node)) outside.push(`${where}@${p.version}: ${p.engines.node}`);
    }
    expect(outside).toEqual([]);
    expect(semver.satisfies(process.version, ours)).toBe(true);
    // The lockfile's copy of the root package agrees.
    expect(lock.packages[''].engines?.node).toBe(ours);
  });

  it('has a licence file that matches its license field, and repository, homepage and bugs', () => {
    expect(pkg.license).toBe('MIT');
    expect(fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} .+\n\nPermission is hereby granted, free of charge/);
    expect(pkg.repository).toEqual({ type: 'git', url: 'git+https://github.com/shadowscan/shadowscan.git' });
    expect(pkg.homepage).toBe('https://github.com/shadowscan/shadowscan#readme');
    expect(pkg.bugs).toEqual({ url: 'https://github.com/shadowscan/shadowscan/issues' });
  });
});

describe('README install paths', () => {
  const lines = readme.split('\n');

  it('never tells a user to install shadowscan from npm without saying it needs publishing first', () => {
    const fromRegistry = lines.filter((l) => /npm (install|i)\b[^#\n]*\bshadowscan(@[\w.^~-]+)?(\s|$|`)/.test(l) && !/git\+|file:|\.tgz|\.\//.test(l.split('#')[0]));
    for (const l of fromRegistry) expect(l, l).toMatch(/once (it is )?published|needs publishing|not on npm yet|not yet on npm/);
  });

  it('names only the release tags the release section says how to create', () => {
    const created = new Set([...readme.matchAll(/git tag -a (v\d+\.\d+\.\d+)/g)].map((m) => m[1]));
    expect(created.size).toBeGreaterThan(0);
    const named = [...readme.matchAll(/(?:@|rev: |#)(v\d+\.\d+\.\d+)\b/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(0);
    for (const t of named) expect(created, t).toContain(t);
    expect(readme).toContain('## Install');
    expect(readme).toMatch(/### Releases/);
  });

  it('shows the ways that work from a checkout today: a local tarball, and a git URL into a folder (never -g)', () => {
    expect(readme).toMatch(/npm pack[^\n]*&& npm install -g \.\/shadowscan-\d+\.\d+\.\d+\.tgz/);
    expect(readme).toMatch(/npm install --prefix \S+ git\+https:\/\/github\.com\/shadowscan\/shadowscan\.git#v\d/);
    expect(readme).toMatch(/npm install --prefix \S+ git\+file:\/\//);
    // npm 11 builds a global git install without its development dependencies: tsc is not found.
    expect(readme).not.toMatch(/npm install -g git\+/);
  });
});
