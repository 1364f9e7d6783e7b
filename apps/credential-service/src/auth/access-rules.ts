/** Who may call what, once for both transports: the HTTP guard and the gRPC access check read these. */
export const MANAGE = { access: 'manage', stepUp: false } as const;
export const MANAGE_STEP_UP = { access: 'manage', stepUp: true } as const;
export const READ_HISTORY = { access: 'read-history', stepUp: false } as const;
/** Account settings (the leak policy): owner or admin, with step-up. */
export const MANAGE_ACCOUNT_STEP_UP = { access: 'manage-account', stepUp: true } as const;
/** The key list: managers; with `at` (the account as it was at an instant), auditors too, as for history. */
export const LIST_KEYS = { access: 'manage', stepUp: false, readsHistoryWith: 'at' } as const;
