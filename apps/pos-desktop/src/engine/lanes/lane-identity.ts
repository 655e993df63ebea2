import { MAIN_LANE_ID } from '../../shared/lane-commands';

/**
 * Who a command comes from: the main till (the Electron window and local tools, holding the node's
 * per-launch token) or a paired lane. Resolved inside every command's transaction, so a lane revoked a
 * moment ago runs nothing more.
 */
export interface LaneIdentity {
  readonly laneId: string;
  readonly name: string;
  /** The one register a paired lane may use; null for the main till, which may use any. */
  readonly registerId: string | null;
}

export const MAIN_LANE: LaneIdentity = { laneId: MAIN_LANE_ID, name: 'Main till', registerId: null };
