// Control routes of live AI: list, start (an RTMP pull), show, update and stop streams (`gw live …`, the dashboard).
import type { Hono } from 'hono';
import { routesOf } from '../../../api/routes.js';
import type { LiveGateway } from '../../live/liveGateway.js';
import { parseJsonStart } from '../../live/liveRequest.js';
import { apiError, readJson, type ControlRouteModule } from '../app.js';

/** The live AI control route module. */
export function liveControlRoutes(live: LiveGateway): ControlRouteModule {
  return {
    routes: routesOf('live'),
    register(app: Hono) {
      app.get('/v1/live', (c) => c.json({ streams: live.list() }));
      app.post('/v1/live', async (c) => {
        const body = await readJson(c);
        if (body instanceof Response) return body;
        const stream = typeof body === 'object' && body !== null && typeof (body as { stream?: unknown }).stream === 'string' ? (body as { stream: string }).stream : '';
        if (stream === '') return apiError(c, 'bad_request', 'stream is required: the name of the live stream');
        return c.json(await live.start(parseJsonStart(stream, body)));
      });
      app.get('/v1/live/:stream', (c) => {
        const view = live.get(c.req.param('stream'));
        return view ? c.json(view) : apiError(c, 'not_found', `no live stream named ${c.req.param('stream')}`);
      });
      app.post('/v1/live/:stream/update', async (c) => {
        const body = await readJson(c);
        if (body instanceof Response) return body;
        if (typeof body !== 'object' || body === null || Array.isArray(body)) return apiError(c, 'bad_request', 'params must be a JSON object');
        const stream = c.req.param('stream');
        if (!live.update(stream, JSON.stringify(body))) return apiError(c, 'not_found', `no running live stream named ${stream}`);
        return c.json(live.get(stream));
      });
      app.post('/v1/live/:stream/stop', async (c) => {
        const stream = c.req.param('stream');
        if (!(await live.stop(stream))) return apiError(c, 'not_found', `no running live stream named ${stream}`);
        return c.json(live.get(stream));
      });
    },
  };
}
