import type { HubException } from '../api/api-types';
import { NOW } from './render-dashboard';

export function hubException(overrides: Partial<HubException> = {}): HubException {
  return {
    exceptionId: 'exc-1',
    type: 'OVERSELL',
    severity: 'critical',
    nodeId: 'store-1',
    sku: 'SKU-RED-M',
    causeEventIds: ['0193a1b2-0000-7000-8000-000000000001'],
    details: {
      shortBy: 1,
      sellable: 0,
      committed: 1,
      message: 'Sales at store-1 took 1 unit(s) of SKU-RED-M promised to open reservations.',
    },
    status: 'open',
    occurrences: 1,
    resolutionNote: null,
    resolvedBy: null,
    resolvedAt: null,
    createdAt: NOW - 3_600_000,
    updatedAt: NOW - 3_600_000,
    ...overrides,
  };
}
