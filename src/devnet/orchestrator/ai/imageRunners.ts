// Devnet runners for the image pipelines: small deterministic CPU stand-ins for the ai-runner models. Outputs depend
// only on the request (prompt, seed, input image), so tests can compare them byte for byte.
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runFfmpeg, withTempDir } from './ffmpegExec.js';
import { encodePng } from './media.js';
import type { AiRequest } from './requests.js';
import type { RunnerContext } from './runners.js';

/** go-livepeer worker.Media. */
export interface Media {
  url: string;
  seed: number;
  nsfw: boolean;
}

const hash = (text: string): Buffer => createHash('sha256').update(text).digest();

/** A w×h RGB picture derived from sha256(prompt, seed): a diagonal gradient with a hashed checker overlay. */
export function renderPrompt(prompt: string, seed: number, width: number, height: number): Buffer {
  const h = hash(`${prompt}\u0000${seed}`);
  const c1 = [h[0], h[1], h[2]] as number[];
  const c2 = [h[3], h[4], h[5]] as number[];
  const c3 = [h[6], h[7], h[8]] as number[];
  const freq = ((h[9] as number) % 7) + 2;
  const rgb = Buffer.alloc(width * height * 3);
  let o = 0;
  for (let y = 0; y < height; y++) {
    const cy = Math.floor((y * freq) / height);
    for (let x = 0; x < width; x++) {
      const t = (x / width + y / height) / 2;
      const checker = (Math.floor((x * freq) / width) + cy) % 2 === 0 ? 0.25 : 0;
      for (let c = 0; c < 3; c++) {
        const base = (c1[c] as number) * (1 - t) + (c2[c] as number) * t;
        rgb[o++] = Math.round(base * (1 - checker) + (c3[c] as number) * checker);
      }
    }
  }
  return encodePng(width, height, rgb);
}

function pngArgs(filter: string): string[] {
  return ['-loglevel', 'error', '-i', 'pipe:0', '-frames:v', '1', '-vf', `${filter},format=rgb24`, '-f', 'image2pipe', '-c:v', 'png', 'pipe:1'];
}

const hueOf = (prompt: string, seed: number, strength: number): number => Math.round(((hash(`${prompt}\u0000${seed}`).readUInt16BE(0) % 300) + 30) * strength);

/** image-to-image: the input hue-rotated by an angle from (prompt, seed), scaled by strength; one PNG per image. */
async function imageToImage(req: Extract<AiRequest, { pipeline: 'image-to-image' }>, ctx: RunnerContext): Promise<{ images: Media[] }> {
  const bin = await ctx.ffmpeg();
  const images: Media[] = [];
  for (let i = 0; i < req.numImages; i++) {
    const seed = req.seed + i;
    const { stdout } = await runFfmpeg(bin, pngArgs(`hue=h=${hueOf(req.prompt, seed, req.strength)}:s=1.2`), req.image.file.data);
    images.push({ url: ctx.output(`${i}.png`, stdout, 'image/png'), seed, nsfw: false });
  }
  return { images };
}

/** upscale: the input scaled 2× (lanczos) as PNG. */
async function upscale(req: Extract<AiRequest, { pipeline: 'upscale' }>, ctx: RunnerContext): Promise<{ images: Media[] }> {
  const { stdout } = await runFfmpeg(await ctx.ffmpeg(), pngArgs('scale=iw*2:ih*2:flags=lanczos'), req.image.file.data);
  return { images: [{ url: ctx.output('0.png', stdout, 'image/png'), seed: req.seed, nsfw: false }] };
}

/** image-to-video: 25 frames of the input at width×height with a drifting hue, H.264 MP4. */
async function imageToVideo(req: Extract<AiRequest, { pipeline: 'image-to-video' }>, ctx: RunnerContext): Promise<{ images: Media[] }> {
  const bin = await ctx.ffmpeg();
  const mp4 = await withTempDir(async (dir) => {
    const input = join(dir, `in.${req.image.info.format}`);
    const out = join(dir, 'out.mp4');
    await writeFile(input, req.image.file.data);
    const vf = `scale=${req.width}:${req.height}:force_original_aspect_ratio=increase,crop=${req.width}:${req.height},hue=h=t*40,format=yuv420p`;
    await runFfmpeg(bin, ['-loglevel', 'error', '-framerate', String(req.fps), '-loop', '1', '-i', input, '-frames:v', '25', '-vf', vf, '-c:v', 'libx264', '-preset', 'ultrafast', '-movflags', '+faststart', out]);
    return readFile(out);
  });
  return { images: [{ url: ctx.output('0.mp4', mp4, 'video/mp4'), seed: req.seed, nsfw: false }] };
}

const PALETTE: ReadonlyArray<[string, number, number, number]> = [
  ['black', 0, 0, 0],
  ['white', 255, 255, 255],
  ['grey', 128, 128, 128],
  ['red', 200, 30, 30],
  ['green', 40, 160, 60],
  ['blue', 40, 70, 200],
  ['yellow', 230, 210, 40],
  ['orange', 240, 140, 30],
  ['purple', 130, 50, 160],
  ['cyan', 40, 200, 210],
  ['pink', 240, 150, 190],
  ['brown', 120, 80, 40],
];

/** Nearest palette colour name. */
export function colourName(r: number, g: number, b: number): string {
  let best = PALETTE[0] as (typeof PALETTE)[number];
  let bestD = Infinity;
  for (const p of PALETTE) {
    const d = (p[1] - r) ** 2 + (p[2] - g) ** 2 + (p[3] - b) ** 2;
    if (d < bestD) {
      bestD = d;
      best = p;
    }
  }
  return best[0];
}

/** image-to-text: a caption from the size and the average colour (ffmpeg area-scales the image to one pixel). */
async function imageToText(req: Extract<AiRequest, { pipeline: 'image-to-text' }>, ctx: RunnerContext): Promise<{ text: string }> {
  const { stdout } = await runFfmpeg(await ctx.ffmpeg(), ['-loglevel', 'error', '-i', 'pipe:0', '-frames:v', '1', '-vf', 'scale=1:1:flags=area,format=rgb24', '-f', 'rawvideo', 'pipe:1'], req.image.file.data);
  const [r = 0, g = 0, b = 0] = stdout;
  const { width, height } = req.image.info;
  const shape = width === height ? 'square' : width > height ? 'landscape' : 'portrait';
  const about = req.prompt.trim() === '' ? '' : ` (asked: ${req.prompt.trim()})`;
  return { text: `a ${shape} ${width}x${height} image, mostly ${colourName(r, g, b)}${about}` };
}

function fmt(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : v.toFixed(3);
}

/** segment-anything-2: masks over a ≤16×16 grid around the box, first point or centre; strings like the runner's. */
function segmentAnything(req: Extract<AiRequest, { pipeline: 'segment-anything-2' }>): { masks: string; scores: string; logits: string } {
  const { width, height } = req.image.info;
  const gw = Math.min(16, width);
  const gh = Math.min(16, height);
  const n = req.multimask ? 3 : 1;
  const p = req.points[0] ?? [width / 2, height / 2];
  const h = hash(`${width}x${height}:${JSON.stringify(req.points)}:${JSON.stringify(req.box ?? [])}`);
  const masks: number[][][] = [];
  const logits: number[][][] = [];
  for (let k = 0; k < n; k++) {
    const r = (Math.min(width, height) / 8) * 2 ** k;
    const mask: number[][] = [];
    const logit: number[][] = [];
    for (let y = 0; y < gh; y++) {
      const row: number[] = [];
      const lrow: number[] = [];
      for (let x = 0; x < gw; x++) {
        const px = ((x + 0.5) * width) / gw;
        const py = ((y + 0.5) * height) / gh;
        const inside = req.box
          ? px >= (req.box[0] as number) && px <= (req.box[2] as number) && py >= (req.box[1] as number) && py <= (req.box[3] as number)
          : Math.hypot(px - (p[0] as number), py - (p[1] as number)) <= r;
        row.push(inside ? 1 : 0);
        lrow.push(inside ? 4 + k : -4 - k);
      }
      mask.push(row);
      logit.push(lrow);
    }
    masks.push(mask);
    logits.push(logit);
  }
  const scores = masks.map((_, k) => Math.round((0.95 - 0.07 * k - (h[k] as number) / 5100) * 1000) / 1000);
  const show = (v: unknown): string => (Array.isArray(v) ? `[${v.map(show).join(', ')}]` : fmt(v as number));
  return {
    masks: `[${masks.map((m) => `[${m.map((row) => `[${row.join(', ')}]`).join(', ')}]`).join(', ')}]`,
    scores: show(scores),
    logits: req.returnLogits ? show(logits) : '[]',
  };
}

/** Runs an image pipeline; returns go-livepeer's response body. */
export async function runImagePipeline(req: AiRequest, ctx: RunnerContext): Promise<unknown> {
  switch (req.pipeline) {
    case 'text-to-image': {
      const images: Media[] = [];
      for (let i = 0; i < req.numImages; i++) {
        const seed = req.seed + i;
        images.push({ url: ctx.output(`${i}.png`, renderPrompt(req.prompt, seed, req.width, req.height), 'image/png'), seed, nsfw: false });
      }
      return { images };
    }
    case 'image-to-image':
      return imageToImage(req, ctx);
    case 'upscale':
      return upscale(req, ctx);
    case 'image-to-video':
      return imageToVideo(req, ctx);
    case 'image-to-text':
      return imageToText(req, ctx);
    case 'segment-anything-2':
      return segmentAnything(req);
    default:
      throw new Error(`not an image pipeline: ${req.pipeline}`);
  }
}
