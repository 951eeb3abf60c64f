/**
 * @module The formal request's lifecycle: pending → drafted → submitted → acknowledged → executed | refused, or
 * withdrawn (with a reason) from any open state. No skipping, no going back; who may take each step.
 */
import type { Role } from '../directory/tables';
import type { FormalRequestState } from './tables';

export const NEXT_STATES: Record<FormalRequestState, readonly FormalRequestState[]> = {
  pending: ['drafted', 'withdrawn'],
  drafted: ['submitted', 'withdrawn'],
  submitted: ['acknowledged', 'withdrawn'],
  acknowledged: ['executed', 'refused', 'withdrawn'],
  executed: [],
  refused: [],
  withdrawn: [],
};

/** States in which the request still has to be submitted: the deadline clock runs only here. */
export const AWAITING_SUBMISSION: readonly FormalRequestState[] = ['pending', 'drafted'];

/**
 * The requesting investigator drafts, submits and may withdraw; the NCBs record what the receiving side did
 * (acknowledged, executed, refused) and may also withdraw, e.g. when the case is dropped.
 */
export const STEP_ROLES: Record<FormalRequestState, readonly Role[]> = {
  pending: [],
  drafted: ['investigator'],
  submitted: ['investigator'],
  acknowledged: ['ncb_officer'],
  executed: ['ncb_officer'],
  refused: ['ncb_officer'],
  withdrawn: ['investigator', 'ncb_officer'],
};

export function isOverdue(request: { state: FormalRequestState; deadlineAt: number }, now: number): boolean {
  return AWAITING_SUBMISSION.includes(request.state) && now > request.deadlineAt;
}
