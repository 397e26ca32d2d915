// Archives built at test time with the libraries shadowscan reads them with (yazl writes zips, tar-stream tars).
import zlib from 'node:zlib';
import tar from 'tar-stream';
import yazl from 'yazl';

export type Members = Array<[name: string, content: string | Buffer]>;

/** A zip; `store` lists members kept uncompressed. */
export function zipOf(members: Members, options: { store?: string[] } = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of members) {
    if (name.endsWith('/')) zip.addEmptyDirectory(name, { mtime: new Date(2020, 0, 1) });
    else zip.addBuffer(Buffer.from(content), name, { compress: !options.store?.includes(name), mtime: new Date(2020, 0, 1) });
  }
  zip.end();
  return collect(zip.outputStream);
}

export function tarOf(members: Members): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, content] of members) pack.entry({ name, mtime: new Date(2020, 0, 1) }, Buffer.from(content));
  pack.finalize();
  return collect(pack as unknown as AsyncIterable<Buffer>);
}

export const gz = (b: Buffer | string): Buffer => zlib.gzipSync(Buffer.from(b));

async function collect(stream: AsyncIterable<Buffer | Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}
