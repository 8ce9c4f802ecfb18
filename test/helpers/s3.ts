import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

/** An s3rver process on loopback with its own key pair and buckets, and a client to look inside. */
export interface TestS3 {
  readonly port: number;
  readonly child: ChildProcess;
  /** s3+http://key:secret@127.0.0.1:port/<bucket> */
  url(bucket: string): string;
  list(bucket: string, prefix?: string): Promise<string[]>;
  get(bucket: string, key: string): Promise<Buffer>;
  /** kill -9 (the store goes away mid-stream) */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestS3(opts: { key: string; secret: string; buckets: string[]; port?: number; dir?: string }): Promise<TestS3> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'gw-s3-'));
  const child = spawn(process.execPath, [join(import.meta.dirname, 's3server.mjs'), dir, opts.key, opts.secret, opts.buckets.join(',')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, S3_PORT: String(opts.port ?? 0) },
  });
  const port = await new Promise<number>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening`)));
  });
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: opts.key, secretAccessKey: opts.secret },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port,
    child,
    url: (bucket) => `s3+http://${opts.key}:${opts.secret}@127.0.0.1:${port}/${bucket}`,
    list: async (bucket, prefix) => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, ...(prefix ? { Prefix: prefix } : {}), ...(token ? { ContinuationToken: token } : {}) }));
        for (const o of r.Contents ?? []) keys.push(o.Key!);
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    },
    get: async (bucket, key) => Buffer.from(await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray()),
    kill: async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      client.destroy();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
