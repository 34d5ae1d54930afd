import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppContext } from '../app/context.js';
import type { AteraSim } from '../atera-sim/index.js';
import { AppError } from '../core/errors.js';
import { idParam } from '../http/halo-resource.js';

/**
 * Demo mode: GET /api/Demo says whether this Keel runs the demo; when it does, a small "Simulator"
 * panel in the UI raises and resolves alerts in the in-process Atera simulator. Outside the demo the
 * simulator routes do not exist (404), only `{enabled: false}`.
 */
export function demoRoutes(sim: AteraSim | null) {
  return (app: FastifyInstance, _ctx: AppContext): void => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Demo'];
    r.get(
      '/api/Demo',
      { schema: { tags, summary: 'Whether this server runs the demo (with its Atera simulator)' } },
      async () => ({ enabled: sim !== null }),
    );
    if (!sim) return;
    r.get('/api/Demo/Simulator/Alerts', { schema: { tags, summary: 'Open alerts in the simulator' } }, async () =>
      sim.state
        .listAlerts({ status: 'Open' })
        .slice(-200)
        .map((a) => ({
          alert_id: a.AlertID,
          title: a.Title,
          severity: a.Severity,
          device_name: a.DeviceName,
          customer_name: a.CustomerName,
          created: a.Created,
        })),
    );
    r.get(
      '/api/Demo/Simulator/Agents',
      { schema: { tags, summary: 'A few simulator devices to raise alerts on' } },
      async () =>
        sim.state
          .listAgents({})
          .slice(0, 50)
          .map((a) => ({ agent_id: a.AgentID, machine_name: a.MachineName, customer_name: a.CustomerName })),
    );
    r.post(
      '/api/Demo/Simulator/Alerts',
      {
        schema: {
          tags,
          summary: 'Raise an alert in the simulator',
          body: z.object({
            agent_id: z.number().int().optional(),
            severity: z.enum(['Information', 'Warning', 'Critical']).default('Warning'),
            title: z.string().min(1).max(200).default('Disk space low'),
          }),
        },
      },
      async (request) => {
        const agents = sim.state.listAgents({});
        const agent =
          request.body.agent_id !== undefined
            ? sim.state.getAgent(request.body.agent_id)
            : agents[Math.floor(Math.random() * agents.length)];
        if (!agent) throw new AppError('not_found', `The simulator has no agent ${request.body.agent_id}`);
        const id = sim.state.raiseAlert({
          AgentID: agent.AgentID,
          Severity: request.body.severity,
          Title: request.body.title,
        });
        return { alert_id: id, device_name: agent.MachineName };
      },
    );
    r.post(
      '/api/Demo/Simulator/Alerts/:id/Resolve',
      { schema: { tags, summary: 'Resolve an alert in the simulator', params: idParam } },
      async (request) => {
        if (!sim.state.getAlert(request.params.id))
          throw new AppError('not_found', `The simulator has no alert ${request.params.id}`);
        sim.state.resolveAlert(request.params.id);
        return { alert_id: request.params.id, resolved: true };
      },
    );
  };
}
