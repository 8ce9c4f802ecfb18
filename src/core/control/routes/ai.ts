// Control routes of the AI gateway: per-capability prices (read back and set — go-livepeer can only set them),
// the AI session pools, the network's AI offers, go-livepeer's /getNetworkCapabilities and /getAISessionPoolsInfo,
// the marketplace listing and the AI jobs.
import type { Hono } from 'hono';
import type { PriceUpdateRequest } from '../../../api/contract.js';
import type { AiControl } from '../../ai/aiGateway.js';
import { GwError } from '../../../lib/errors.js';
import { routesOf } from '../../../api/routes.js';
import { apiError, readJson, type ControlRouteModule } from '../app.js';

function parsePriceUpdate(body: unknown): PriceUpdateRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'expected a JSON object {target, pipeline, modelId, pricePerUnit, pixelsPerUnit, currency}';
  const b = body as Record<string, unknown>;
  const target = b['target'] ?? 'max';
  if (target !== 'max' && target !== 'customer') return 'target must be "max" or "customer"';
  if (typeof b['pipeline'] !== 'string' || b['pipeline'] === '') return 'pipeline is required';
  const modelId = b['modelId'] ?? 'default';
  if (typeof modelId !== 'string' || modelId.trim() === '') return 'modelId must be a model id or "default"';
  const str = (k: string): string | undefined | null => {
    const v = b[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number') return String(v);
    return typeof v === 'string' ? v : null;
  };
  const pricePerUnit = str('pricePerUnit');
  const pixelsPerUnit = str('pixelsPerUnit');
  const currency = str('currency');
  if (pricePerUnit === null || pixelsPerUnit === null || currency === null) return 'pricePerUnit, pixelsPerUnit and currency must be strings';
  const remove = b['remove'] === true;
  return {
    target,
    pipeline: b['pipeline'],
    modelId: modelId.trim(),
    remove,
    ...(pricePerUnit !== undefined ? { pricePerUnit } : {}),
    ...(pixelsPerUnit !== undefined ? { pixelsPerUnit } : {}),
    ...(currency !== undefined ? { currency } : {}),
  };
}

/** The AI control route module. */
export function aiControlRoutes(ai: AiControl): ControlRouteModule {
  return {
    routes: routesOf('ai'),
    register(app: Hono) {
      app.get('/v1/prices', (c) => c.json(ai.prices()));
      app.post('/v1/prices', async (c) => {
        const body = await readJson(c);
        if (body instanceof Response) return body;
        const req = parsePriceUpdate(body);
        if (typeof req === 'string') return apiError(c, 'bad_request', req);
        try {
          return c.json(ai.setPrice(req));
        } catch (err) {
          // whatever the caller's price got wrong (its JSON, a setting it implies) is an invalid price to them
          if (err instanceof GwError && err.kind === 'user') return apiError(c, 'invalid_price', err.message);
          throw err;
        }
      });
      app.get('/v1/ai/pools', (c) => c.json({ pools: ai.pools() }));
      app.get('/getAISessionPoolsInfo', (c) => c.json(ai.pools()));
      app.get('/v1/ai/network', async (c) => {
        const pipeline = c.req.query('pipeline');
        const modelId = c.req.query('model');
        return c.json(await ai.network({ ...(pipeline ? { pipeline } : {}), ...(modelId ? { modelId } : {}), refresh: c.req.query('refresh') === '1' }));
      });
      app.get('/getNetworkCapabilities', async (c) => c.json(await ai.networkCapabilities(c.req.query('refresh') === '1')));
      app.get('/v1/ai/capabilities', async (c) => c.json(await ai.listing()));
      app.get('/v1/ai/jobs', (c) => c.json({ sessions: ai.jobs() }));
      app.get('/v1/ai/jobs/:id', (c) => {
        const d = ai.job(c.req.param('id'));
        return d ? c.json(d) : apiError(c, 'not_found', `no AI job named "${c.req.param('id')}"`);
      });
    },
  };
}
