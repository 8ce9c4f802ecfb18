// Locating and probing the ffmpeg/ffprobe binaries used by every media component.
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { GwError } from '../errors.js';

/** Where a binary was found, in resolution order. */
export type BinarySource = 'explicit' | 'env' | 'ffmpeg-static' | 'path' | 'ffmpeg-installer' | 'sibling';

export interface ResolvedBinary {
  path: string;
  source: BinarySource;
}

export interface FfmpegProbe {
  path: string;
  source: BinarySource;
  /** e.g. "5.1.9-0+deb12u1" */
  version: string;
  hasLibx264: boolean;
  hasRtmp: boolean;
  hasSegmentMuxer: boolean;
}

export interface ResolveOptions {
  /** A path given by the user (flag or config); wins over everything else. */
  explicitPath?: string;
  /** Environment to read GW_FFMPEG / GW_FFPROBE / PATH from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

const INSTALL_HINT =
  'Install ffmpeg (Debian/Ubuntu: `sudo apt-get install -y ffmpeg`, macOS: `brew install ffmpeg`), ' +
  'or point GW_FFMPEG (or --ffmpeg) at an ffmpeg binary.';

/** Thrown when no usable ffmpeg binary can be found. */
export class FfmpegNotFoundError extends GwError {
  override name = 'FfmpegNotFoundError';
  constructor(detail: string) {
    super('ffmpeg_not_found', `ffmpeg not found: ${detail}. ${INSTALL_HINT}`);
  }
}

function isExecutableFile(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, process.platform === 'win32' ? constants.F_OK : constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds `name` on PATH (like `which`), or null. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = (env.PATH ?? env.Path ?? '').split(delimiter).filter((d) => d !== '');
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return null;
}

async function fromFfmpegStatic(): Promise<string | null> {
  // A variable specifier keeps TypeScript from requiring the (usually absent) package at compile time.
  const specifier = 'ffmpeg-static';
  try {
    const mod = (await import(specifier)) as { default?: unknown };
    const p = mod.default;
    return typeof p === 'string' && isExecutableFile(p) ? p : null;
  } catch {
    return null;
  }
}

function fromFfmpegInstaller(): string | null {
  try {
    // The package throws a bare string when its platform binary is missing, hence the catch-all.
    const require = createRequire(import.meta.url);
    const mod = require('@ffmpeg-installer/ffmpeg') as { path?: unknown };
    return typeof mod.path === 'string' && isExecutableFile(mod.path) ? mod.path : null;
  } catch {
    return null;
  }
}

/**
 * Resolves ffmpeg: explicit path → GW_FFMPEG → ffmpeg-static → PATH → @ffmpeg-installer/ffmpeg.
 * An explicit path or GW_FFMPEG that does not point at an executable is an error, not a fallthrough.
 */
export async function resolveFfmpeg(opts: ResolveOptions = {}): Promise<ResolvedBinary> {
  const env = opts.env ?? process.env;
  if (opts.explicitPath !== undefined && opts.explicitPath !== '') {
    if (!isExecutableFile(opts.explicitPath)) {
      throw new FfmpegNotFoundError(`the given path ${opts.explicitPath} is not an executable file`);
    }
    return { path: opts.explicitPath, source: 'explicit' };
  }
  const fromEnv = env.GW_FFMPEG;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!isExecutableFile(fromEnv)) {
      throw new FfmpegNotFoundError(`GW_FFMPEG=${fromEnv} is not an executable file`);
    }
    return { path: fromEnv, source: 'env' };
  }
  const staticPath = await fromFfmpegStatic();
  if (staticPath !== null) return { path: staticPath, source: 'ffmpeg-static' };
  const onPath = findOnPath('ffmpeg', env);
  if (onPath !== null) return { path: onPath, source: 'path' };
  const installer = fromFfmpegInstaller();
  if (installer !== null) return { path: installer, source: 'ffmpeg-installer' };
  throw new FfmpegNotFoundError('not given, GW_FFMPEG unset, ffmpeg-static absent, no ffmpeg on PATH, @ffmpeg-installer/ffmpeg absent');
}

/**
 * Resolves ffprobe: explicit path → GW_FFPROBE → PATH → next to the given ffmpeg. Returns null when absent
 * (ffprobe is optional: the bundled static ffmpeg builds ship without it).
 */
export function resolveFfprobe(opts: ResolveOptions & { ffmpegPath?: string } = {}): ResolvedBinary | null {
  const env = opts.env ?? process.env;
  if (opts.explicitPath !== undefined && opts.explicitPath !== '') {
    return isExecutableFile(opts.explicitPath) ? { path: opts.explicitPath, source: 'explicit' } : null;
  }
  const fromEnv = env.GW_FFPROBE;
  if (fromEnv !== undefined && fromEnv !== '' && isExecutableFile(fromEnv)) return { path: fromEnv, source: 'env' };
  const onPath = findOnPath('ffprobe', env);
  if (onPath !== null) return { path: onPath, source: 'path' };
  if (opts.ffmpegPath !== undefined) {
    const sibling = join(dirname(opts.ffmpegPath), process.platform === 'win32' ? 'ffprobe.exe' : 'ffprobe');
    if (isExecutableFile(sibling)) return { path: sibling, source: 'sibling' };
  }
  return null;
}

function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { maxBuffer: 8 * 1024 * 1024, timeout: 15_000 }, (err, stdout) => {
      if (err) reject(new Error(`${bin} ${args.join(' ')} failed: ${err.message}`));
      else resolve(stdout);
    });
  });
}

/** Extracts the version from the first line of `ffmpeg -version` ("ffmpeg version 5.1.9-0+deb12u1 Copyright …"). */
export function parseFfmpegVersion(versionOutput: string): string {
  const m = /version\s+(\S+)/.exec(versionOutput);
  return m?.[1] ?? 'unknown';
}

/**
 * True when a `-encoders`/`-muxers`/`-protocols` listing names `name`. Only the name column counts (first token for
 * protocols, second after the flags for encoders/muxers; names may be comma lists), not the descriptions.
 */
export function listingHas(listing: string, name: string): boolean {
  return listing.split('\n').some((line) => {
    const tokens = line.trim().split(/\s+/).slice(0, 2);
    return tokens.some((t) => t.split(',').includes(name));
  });
}

const probeCache = new Map<string, Promise<FfmpegProbe>>();

/** Runs the binary once (per path, cached) and reports its version and the features gw needs. */
export function probeFfmpeg(bin: string | ResolvedBinary): Promise<FfmpegProbe> {
  const resolved: ResolvedBinary = typeof bin === 'string' ? { path: bin, source: 'explicit' } : bin;
  const cached = probeCache.get(resolved.path);
  if (cached) return cached.then((p) => ({ ...p, source: resolved.source }));
  const pending = (async (): Promise<FfmpegProbe> => {
    const flags = ['-hide_banner'];
    const [version, encoders, protocols, muxers] = await Promise.all([
      run(resolved.path, ['-version']),
      run(resolved.path, [...flags, '-encoders']),
      run(resolved.path, [...flags, '-protocols']),
      run(resolved.path, [...flags, '-muxers']),
    ]);
    return {
      path: resolved.path,
      source: resolved.source,
      version: parseFfmpegVersion(version),
      hasLibx264: listingHas(encoders, 'libx264'),
      hasRtmp: listingHas(protocols, 'rtmp'),
      hasSegmentMuxer: listingHas(muxers, 'segment'),
    };
  })();
  probeCache.set(resolved.path, pending);
  // A failed probe is not cached, so a later retry (e.g. after installing) can succeed.
  pending.catch(() => probeCache.delete(resolved.path));
  return pending;
}
