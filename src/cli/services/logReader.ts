import { closeSync, existsSync, openSync, readSync, statSync, watch } from 'node:fs';

/** The last `n` lines of a file, reading only its tail; undefined if the file does not exist. */
export function readLastLines(path: string, n: number): string[] | undefined {
  if (!existsSync(path)) return undefined;
  if (n <= 0) return [];
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    let chunk = 64 * 1024;
    for (;;) {
      const start = Math.max(0, size - chunk);
      const buf = Buffer.alloc(size - start);
      readSync(fd, buf, 0, buf.length, start);
      const lines = buf.toString('utf8').split('\n').filter((l) => l !== '');
      if (lines.length > n || start === 0) return lines.slice(-n);
      chunk *= 4;
    }
  } finally {
    closeSync(fd);
  }
}

/** Calls `onLine` for every line appended to the file until the signal aborts (handles truncation). */
export async function followLog(path: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
  let offset = statSync(path).size;
  let partial = '';
  const drain = () => {
    const size = statSync(path).size;
    if (size < offset) offset = 0;
    if (size === offset) return;
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(size - offset);
      readSync(fd, buf, 0, buf.length, offset);
      offset = size;
      const text = partial + buf.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      for (const l of parts) if (l !== '') onLine(l);
    } finally {
      closeSync(fd);
    }
  };
  const watcher = watch(path, { persistent: true }, () => drain());
  // fs.watch can miss events on some filesystems: poll as well.
  const timer = setInterval(drain, 500);
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  clearInterval(timer);
  watcher.close();
}
