import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AuditEntrySchema, AuditQuerySchema, listAudit } from '../../audit/hq-audit';
import {
  CreateStaffSchema,
  HqStaffSchema,
  UpdateStaffSchema,
  createStaff,
  getStaff,
  listStaff,
  updateStaff,
} from '../../staff/hq-staff';
import {
  StoreCreatedStaffQuerySchema,
  StoreCreatedStaffSchema,
  VouchForStoreStaffSchema,
  listStoreCreatedStaff,
  vouchForStoreStaff,
} from '../../staff/store-created-staff';
import type { RouteRegistry } from '../route';

const staffId = z.string().min(1).max(100);

/** Staff HQ manages (they reach the tills through the feed) and the HQ audit log. */
export function registerStaffRoutes(app: FastifyInstance, routes: RouteRegistry): void {
  const hub = routes.hub;
  routes.add(app, {
    method: 'GET',
    url: '/api/staff',
    summary: 'Staff HQ manages, with the stores they may sign in at (PINs are never shown)',
    tag: 'staff',
    access: { kind: 'hq', role: 'viewer' },
    response: z.array(HqStaffSchema),
    handler: () => listStaff(hub.storage.db),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/staff/store-created',
    summary:
      'Staff stores created themselves, newest first: who created them, when, and whether the hub believes their role',
    tag: 'staff',
    access: { kind: 'hq', role: 'viewer' },
    query: StoreCreatedStaffQuerySchema,
    response: z.array(StoreCreatedStaffSchema),
    handler: ({ query }) => listStoreCreatedStaff(hub.storage.db, query),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/staff/store-created/:staffId/vouch',
    summary:
      'Vouch for someone a store created whom the hub does not believe: verified with the role given (at most the store’s), what waited for them judged again',
    tag: 'staff',
    access: { kind: 'hq', role: 'admin' },
    audit: 'in-handler',
    params: z.object({ staffId }),
    body: VouchForStoreStaffSchema,
    response: StoreCreatedStaffSchema,
    errors: [404],
    handler: ({ params, body, actor }) => vouchForStoreStaff(hub, params.staffId, body, actor),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/staff/:staffId',
    summary: 'One staff member HQ manages',
    tag: 'staff',
    access: { kind: 'hq', role: 'viewer' },
    params: z.object({ staffId }),
    response: HqStaffSchema,
    handler: ({ params }) => getStaff(hub.storage.db, params.staffId),
  });
  routes.add(app, {
    method: 'POST',
    url: '/api/staff',
    summary: 'Create a staff member for the tills of the stores listed (all stores when none)',
    tag: 'staff',
    access: { kind: 'hq', role: 'admin' },
    audit: 'in-handler',
    body: CreateStaffSchema,
    response: HqStaffSchema,
    successStatus: 201,
    errors: [409],
    handler: ({ body, actor }) => createStaff(hub, body, actor),
  });
  routes.add(app, {
    method: 'PATCH',
    url: '/api/staff/:staffId',
    summary: 'Change, deactivate or reactivate a staff member, or set a new PIN (expectedVersion required)',
    tag: 'staff',
    access: { kind: 'hq', role: 'admin' },
    audit: 'in-handler',
    params: z.object({ staffId }),
    body: UpdateStaffSchema,
    response: HqStaffSchema,
    errors: [409],
    handler: ({ params, body, actor }) => updateStaff(hub, params.staffId, body, actor),
  });
  routes.add(app, {
    method: 'GET',
    url: '/api/audit',
    summary: 'The HQ audit log, newest first: who changed what, when, with the state before and after',
    tag: 'audit',
    access: { kind: 'hq', role: 'viewer' },
    query: AuditQuerySchema,
    response: z.array(AuditEntrySchema),
    handler: ({ query }) => listAudit(hub.storage.db, query),
  });
}
