// AWS Signature Version 4, done by the aws4 library: the one provider signing the engine knows.
import aws4 from 'aws4';

export interface SigV4Request {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

/** Returns the request's headers with AWS's (Authorization, X-Amz-Date, and the session token when given). */
export function signAwsSigV4(req: SigV4Request, key: { service: string; region: string; accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Record<string, string> {
  const signed = aws4.sign(
    {
      method: req.method,
      host: req.url.host,
      path: req.url.pathname + req.url.search,
      headers: { ...req.headers },
      body: req.body,
      service: key.service,
      region: key.region,
    },
    { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, sessionToken: key.sessionToken },
  );
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers ?? {})) if (v !== undefined) out[k] = String(v);
  return out;
}
