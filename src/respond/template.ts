// Rule templates: `{{secret}}`, `{{part.NAME}}` and, in a revocation batch's JSON body, `"{{secrets}}"`.
import type { HttpRequestSpec } from '../model/index.js';

/** The values a template may name: the credential and the parts of a multi-part one. */
export interface TemplateValues {
  secret: string;
  parts?: Record<string, string>;
  /** A revocation batch: what `"{{secrets}}"` becomes. */
  secrets?: string[];
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;
const SECRETS_LEAF = /^\{\{\s*secrets\s*\}\}$/;

/** A template names something the token does not have: the check is `unknown`, and nothing is sent. */
export class MissingValueError extends Error {}

function valueOf(name: string, v: TemplateValues): string {
  if (name === 'secret') return v.secret;
  if (name.startsWith('part.')) {
    const part = name.slice(5);
    const value = v.parts?.[part];
    if (value === undefined) throw new MissingValueError(`needs part ${part}`);
    return value;
  }
  throw new MissingValueError(`unsupported template {{${name}}}`);
}

/** Fills a template; `encode` URL-encodes each value (templates in a URL). */
export function render(template: string, v: TemplateValues, encode = false): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const value = valueOf(name, v);
    return encode ? encodeURIComponent(value) : value;
  });
}

/** A JSON body: string leaves are templates; the leaf "{{secrets}}" becomes the batch's array of secrets. */
export function renderJson(value: unknown, v: TemplateValues): unknown {
  if (typeof value === 'string') return SECRETS_LEAF.test(value) ? (v.secrets ?? [v.secret]) : render(value, v);
  if (Array.isArray(value)) return value.map((x) => renderJson(x, v));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, renderJson(x, v)]));
  return value;
}

/** Every part a request names, to say `needs part NAME` before anything is built. */
export function partsNamed(spec: HttpRequestSpec): string[] {
  const names = new Set<string>();
  const visit = (x: unknown): void => {
    if (typeof x === 'string') {
      for (const m of x.matchAll(PLACEHOLDER)) if (m[1].startsWith('part.')) names.add(m[1].slice(5));
    } else if (Array.isArray(x)) x.forEach(visit);
    else if (x && typeof x === 'object') Object.values(x).forEach(visit);
  };
  visit([spec.url, spec.headers, spec.basic, spec.form, spec.json, spec.sign]);
  return [...names];
}
