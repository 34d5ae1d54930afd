import type { HaloResource } from '../../http/halo-resource.js';
import {
  deleteIntegrationError,
  getIntegrationError,
  listIntegrationErrors,
  saveIntegrationErrors,
} from './integration-errors.js';
import { integrationErrorOutput, integrationErrorQuery, integrationErrorWrite } from './schemas.js';

export const integrationErrorResource: HaloResource<
  typeof integrationErrorQuery,
  typeof integrationErrorWrite,
  typeof integrationErrorOutput
> = {
  path: 'IntegrationError',
  tag: 'Integrations',
  // Unverified: Halo's list key for /IntegrationError is not known (no client code reads it); Keel uses
  // `integration_errors` and always answers with the object envelope.
  listKey: 'integration_errors',
  adminWrite: true,
  query: integrationErrorQuery,
  write: integrationErrorWrite,
  output: integrationErrorOutput,
  list: listIntegrationErrors,
  get: (ctx, id) => getIntegrationError(ctx, id),
  save: (ctx, items) => saveIntegrationErrors(ctx, items),
  remove: (ctx, id) => deleteIntegrationError(ctx, id),
};
