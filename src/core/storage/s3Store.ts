// An S3 bucket (AWS or any S3-compatible store) through the AWS SDK v3. Custom endpoints use path-style addressing
// (http://host:port/bucket/key), as go-livepeer does. Checksums are computed only where S3 requires them, so stores
// that do not know the SDK's default CRC32 trailers (s3rver, older MinIO) accept the uploads.
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describeStore, type StoreLocation } from '../../lib/storage/storeUrl.js';
import type { ObjectStore, PutOptions } from './objectStore.js';

type S3Location = Extract<StoreLocation, { kind: 's3' }>;

export class S3Store implements ObjectStore {
  readonly description: string;
  private readonly client: S3Client;

  constructor(private readonly loc: S3Location) {
    this.description = describeStore(loc);
    this.client = new S3Client({
      region: loc.region,
      ...(loc.endpoint !== undefined ? { endpoint: loc.endpoint, forcePathStyle: true } : {}),
      credentials: { accessKeyId: loc.accessKeyId, secretAccessKey: loc.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      // The uploader retries with its own backoff and budget.
      maxAttempts: 1,
    });
  }

  private objectKey(key: string): string {
    return this.loc.prefix === '' ? key : `${this.loc.prefix}/${key}`;
  }

  async put(key: string, body: Uint8Array | string, opts: PutOptions): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.loc.bucket,
        Key: this.objectKey(key),
        Body: body,
        ContentType: opts.contentType,
        ...(opts.cacheControl !== undefined ? { CacheControl: opts.cacheControl } : {}),
      }),
      opts.signal ? { abortSignal: opts.signal } : {},
    );
  }

  url(key: string): string {
    return `${this.loc.publicBase}/${this.objectKey(key).split('/').map(encodeURIComponent).join('/')}`;
  }

  close(): void {
    this.client.destroy();
  }
}
