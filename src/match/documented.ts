// Credentials that providers publish in their own documentation: copied into countless READMEs, tests and
// tutorials, they unlock nothing. Kept as SHA-256 digests (with the page each comes from), so that this file holds
// no credential-shaped text and a scan of this project stays clean.
import crypto from 'node:crypto';

export interface DocumentedCredential {
  /** What it is and where it is published. */
  what: string;
  source: string;
  /** The review tier rather than nothing: the jwt.io demo token still shows how tokens are handled. */
  review?: boolean;
}

const DOCUMENTED = new Map<string, DocumentedCredential>([
  ['1a5d44a2dca19669d72edf4c4f1c27c4c1ca4b4408fbb17f6ce4ad452d78ddb3', { what: "AWS's documented access key id", source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html' }],
  ['78314b11be2e581549ac1c4f616563fad3fdf0c3b71678f6e2299182080e0598', { what: "AWS's documented secret access key", source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html' }],
  ['c6ea27c534f993d31f0aef882e3d200e7b87470c379ae79c8f9b19d3bd363dc9', { what: "AWS's second documented access key id", source: 'https://docs.aws.amazon.com/general/latest/gr/aws-sec-cred-types.html' }],
  ['e21b597ba6b9cafa59d9ebc4d65c0385f5eb3fa56abab2607fa76589ad849a33', { what: "AWS's second documented secret access key", source: 'https://docs.aws.amazon.com/general/latest/gr/aws-sec-cred-types.html' }],
  ['2cafc0970149a84f3b9e62eaf169f36f59907a3b3e31f7b82e68c69cd27f7326', { what: "Stripe's documented test secret key", source: 'https://docs.stripe.com/api/authentication' }],
  ['b1471f544ceeea31333bde7e1ecbaad6eac0d4a749412ad29bd66ef895b81c6b', { what: "Stripe's documented test publishable key", source: 'https://docs.stripe.com/keys' }],
  ['f2d6ca16515033e5dce14eba840b979d27b5cbae24bb3e5bf484339667f86397', { what: "Stripe's older documented test secret key", source: 'https://docs.stripe.com/api/authentication' }],
  ['7f75367e7881255134e1375e723d1dea8ad5f6a4fdb79d938df1f1754a830606', { what: 'the jwt.io demo token', source: 'https://jwt.io/', review: true }],
]);

/** The published credential a value is, if it is one. */
export function documentedCredential(secret: string): DocumentedCredential | undefined {
  if (secret.length < 16 || secret.length > 400) return undefined;
  return DOCUMENTED.get(crypto.createHash('sha256').update(secret, 'utf8').digest('hex'));
}
