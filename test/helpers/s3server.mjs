// An S3-compatible server (npm's s3rver) as its own process on loopback, for tests:
//   node test/helpers/s3server.mjs <dir> <accessKeyId> <secret> <bucket>[,<bucket>…]
// Prints {"port": N} once listening. s3rver knows only its own key pair; this one is added to it.
import S3rver from 's3rver';
import Account from 's3rver/lib/models/account.js';

const [dir, key, secret, buckets] = process.argv.slice(2);
Account.DUMMY_ACCOUNT.createKeyPair(key, secret);
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(process.env.S3_PORT ?? 0),
  silent: true,
  directory: dir,
  configureBuckets: buckets.split(',').map((name) => ({ name })),
  vhostBuckets: false,
});
const addr = await server.run();
process.stdout.write(JSON.stringify({ port: addr.port }) + '\n');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
