/**
 * The longest reason a staff action takes: the API's `MAX_REASON_LENGTH` in
 * subgraphs/kernel/core/reasons.py (every context checks it there); change both together.
 */
export const MAX_REASON_LENGTH = 500;
