import { DomainError } from '@retail/domain';
import { ROLE_RANK } from '../../shared/commands';
import type { CommandHandlers } from '../command-context';
import { DRAWER_GRANT_TTL_MS, signDrawerGrant } from '../drawer-grant';
import { requireOpenShift } from '../services/shifts';

export const drawerHandlers = {
  'drawer-open': {
    // Mutating so that every opening leaves its audit row (who, which register, why, for what).
    mutates: true,
    handle(ctx, input) {
      const staff = ctx.staff();
      if (input.reason === 'no-sale' && ROLE_RANK[staff.role] < ROLE_RANK.supervisor) {
        throw new DomainError(
          'FORBIDDEN',
          'drawer.onlySupervisorManagerCan',
          {},
          { required: 'supervisor', role: staff.role },
        );
      }
      const shift = requireOpenShift(ctx, input.registerId);
      const openingId = ctx.newId();
      const expiresAtMs = ctx.nowMs + DRAWER_GRANT_TTL_MS;
      // HQ sees every opening in the store audit trail (docs/hub.md "Audit").
      ctx.appendEvent('drawer.opened', {
        openingId,
        shiftId: shift.shiftId,
        registerId: input.registerId,
        staffId: staff.staffId,
        reason: input.reason,
        ...(input.reference === undefined ? {} : { reference: input.reference }),
        openedAt: ctx.nowIso,
      });
      ctx.auditNote = {
        subject: input.reference ?? shift.shiftId,
        details: {
          openingId,
          registerId: input.registerId,
          shiftId: shift.shiftId,
          reason: input.reason,
          ...(input.reference === undefined ? {} : { reference: input.reference }),
          granted: ctx.drawerKey !== undefined,
        },
      };
      return {
        openingId,
        openedAt: ctx.nowIso,
        grant: ctx.drawerKey === undefined ? null : signDrawerGrant(ctx.drawerKey, openingId, expiresAtMs),
        expiresAt: new Date(expiresAtMs).toISOString(),
      };
    },
  },
} satisfies Pick<CommandHandlers, 'drawer-open'>;
