import type { Hono } from 'hono';
import type { AiGateway } from '../../ai/aiGateway.js';
import type { GatewayService } from '../../gateway/gatewayService.js';
import type { RecentActivity } from '../../gateway/recentActivity.js';
import { apiError, type ControlRouteModule } from '../app.js';

/** Read-only views of the gateway: orchestrators, sessions (streams and AI jobs), tickets, failovers. */
export function gatewayRoutes(gateway: GatewayService, activity: RecentActivity, ai?: Pick<AiGateway, 'views' | 'detail'>): ControlRouteModule {
  return {
    routes: {
      '/v1/orchestrators': ['GET'],
      '/v1/sessions': ['GET'],
      '/v1/sessions/:id': ['GET'],
      '/v1/tickets': ['GET'],
      '/v1/failovers': ['GET'],
    },
    register(app: Hono) {
      app.get('/v1/orchestrators', (c) => c.json(gateway.orchestrators()));
      app.get('/v1/sessions', (c) => {
        const sessions = [...gateway.streams.views(), ...(ai?.views() ?? [])].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
        return c.json({ sessions });
      });
      app.get('/v1/sessions/:id', (c) => {
        const d = gateway.streams.detail(c.req.param('id')) ?? ai?.detail(c.req.param('id'));
        return d ? c.json(d) : apiError(c, 404, 'not_found', `no stream or job named "${c.req.param('id')}"`);
      });
      app.get('/v1/tickets', (c) => {
        const limit = parseLimit(c.req.query('limit'));
        if (limit === undefined) return apiError(c, 400, 'bad_request', 'limit must be an integer from 1 to 1000');
        return c.json({ tickets: activity.recentTickets(limit) });
      });
      app.get('/v1/failovers', (c) => {
        const limit = parseLimit(c.req.query('limit'));
        if (limit === undefined) return apiError(c, 400, 'bad_request', 'limit must be an integer from 1 to 1000');
        return c.json({ failovers: activity.recentFailovers(limit) });
      });
    },
  };
}

function parseLimit(raw: string | undefined): number | undefined {
  if (raw === undefined) return 100;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 1000 ? n : undefined;
}
