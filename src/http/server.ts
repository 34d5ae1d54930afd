import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppContext } from '../app/context.js';
import { demoRoutes } from '../demo/routes.js';
import { installAuth } from './auth-hook.js';
import { installErrorHandler } from './error-handler.js';
import { authRoutes } from './routes/auth.js';
import { healthRoutes } from './routes/health.js';
import { psaRoutes } from './routes/index.js';
import { webUi } from './web-ui.js';

export interface ServerOptions {
  /** Extra route plugins (integrations, web UI) registered after the core. */
  plugins?: ((app: FastifyInstance, ctx: AppContext) => void | Promise<void>)[];
  logger?: boolean;
  /** True when plugins include the demo's routes (with the simulator). */
  demo?: boolean;
}

export async function buildServer(ctx: AppContext, options: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger === false ? undefined : ctx.logger,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
    bodyLimit: 16 * 1024 * 1024,
    // pino's Logger and Fastify's base logger type differ only in generics; they are the same object.
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  // Responses are built field by field by the use cases; re-validating every list page through zod
  // cost more CPU than the query under load. The response schemas still document the API (OpenAPI).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // Halo accepts these JSON content types as well as application/json.
  app.addContentTypeParser(
    ['text/json', 'application/*+json', 'application/json-patch+json'],
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  await app.register(formbody);
  await app.register(helmet, {
    // The docs page (swagger-ui) and the web UI load their own scripts and styles from this origin.
    contentSecurityPolicy: {
      directives: {
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
      },
    },
  });
  installErrorHandler(app);
  installAuth(app, ctx);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Keel API', version: '1', description: 'Halo-compatible PSA API with the Atera RMM integration' },
      components: { securitySchemes: { Bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ Bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });
  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  healthRoutes(app, ctx);
  authRoutes(app, ctx);
  psaRoutes(app, ctx);
  const plugins = options.plugins ?? [];
  // Outside the demo, GET /api/Demo still answers {enabled: false} so the UI knows.
  if (!options.demo) plugins.unshift(demoRoutes(null));
  for (const plugin of plugins) await plugin(app, ctx);
  await app.register(webUi);
  return app;
}
