import type { Hono } from 'hono';
import type { ActivityProjection } from '../../gateway/activityProjection.js';
import type { GatewayService } from '../../gateway/gatewayService.js';
import { routesOf } from '../../../api/routes.js';
import { apiError, type ControlRouteModule } from '../app.js';

/**
 * Read-only views of the gateway: orchestrators, and sessions (streams and AI jobs), tickets and failovers from
 * the event projection the dashboard folds too.
 */
export function gatewayRoutes(gateway: Pick<GatewayService, 'orchestrators'>, activity: Pick<ActivityProjection, 'sessions' | 'session' | 'tickets' | 'failovers'>): ControlRouteModule {
  return {
    routes: routesOf('gateway'),
    register(app: Hono) {
      app.get('/v1/orchestrators', (c) => c.json(gateway.orchestrators()));
      app.get('/v1/sessions', (c) => c.json({ sessions: activity.sessions() }));
      app.get('/v1/sessions/:id', (c) => {
        const d = activity.session(c.req.param('id'));
        return d ? c.json(d) : apiError(c, 'not_found', `no stream or job named "${c.req.param('id')}"`);
      });
      app.get('/v1/tickets', (c) => {
        const limit = parseLimit(c.req.query('limit'));
        if (limit === undefined) return apiError(c, 'bad_request', 'limit must be an integer from 1 to 1000');
        return c.json({ tickets: activity.tickets(limit) });
      });
      app.get('/v1/failovers', (c) => {
        const limit = parseLimit(c.req.query('limit'));
        if (limit === undefined) return apiError(c, 'bad_request', 'limit must be an integer from 1 to 1000');
        return c.json({ failovers: activity.failovers(limit) });
      });
    },
  };
}

function parseLimit(raw: string | undefined): number | undefined {
  if (raw === undefined) return 100;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 1000 ? n : undefined;
}
