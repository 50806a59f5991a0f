// Who may see which page: the one page -> scope table of the back office, and the claims of an
// access token decoded for display. The app is a convenience: the API enforces every scope (in
// the schema, at the gateway and again in each subgraph); hiding a link only spares a staff
// member a page that would be refused. Scopes are those of subgraphs/kernel/core/access.py.

export type Scope =
  | 'orders:read:any'
  | 'orders:cancel:any'
  | 'customers:read'
  | 'refunds:decide'
  | 'catalog:write'
  | 'staff:manage'
  | 'activity:read';

export interface Page {
  /** The visible link text (the names the browser tests use). */
  label: string;
  path: string;
  /** The scope a token needs for this page to be linked and shown. */
  scope: Scope;
}

/** Every page of the back office, in navigation order, with the scope it needs. */
export const PAGES: readonly Page[] = [
  { label: 'Orders', path: '/orders', scope: 'orders:read:any' },
  { label: 'Refund requests', path: '/refund-requests', scope: 'refunds:decide' },
  { label: 'Customers', path: '/customers', scope: 'customers:read' },
  { label: 'Products', path: '/products', scope: 'catalog:write' },
  { label: 'Staff', path: '/staff', scope: 'staff:manage' },
  { label: 'Activity', path: '/activity', scope: 'activity:read' },
];

/** What the back office shows from an access token (never used to decide anything the API checks). */
export interface StaffClaims {
  subject: string | null;
  role: string | null;
  scopes: ReadonlySet<string>;
  expiresAt: number | null;
}

function base64UrlDecode(part: string): string {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/**
 * The payload of a JWT, unverified: the signature is the API's business, this is for display.
 * Null for anything that is not a three-part token with a JSON object payload.
 */
export function decodeClaims(token: string): StaffClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(base64UrlDecode(parts[1]));
  } catch {
    return null;
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return null;
  const claims = payload as Record<string, unknown>;
  const scope = typeof claims.scope === 'string' ? claims.scope : '';
  return {
    subject: typeof claims.sub === 'string' ? claims.sub : null,
    role: typeof claims.role === 'string' && claims.role ? claims.role : null,
    scopes: new Set(scope.split(/\s+/).filter(Boolean)),
    expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : null,
  };
}

/** The pages a token's scopes allow, in navigation order. */
export function pagesFor(scopes: ReadonlySet<string>): Page[] {
  return PAGES.filter((page) => scopes.has(page.scope));
}

/** A staff token: at least one page of this app is allowed. A customer token (no scope) is not. */
export function isStaff(claims: StaffClaims | null): boolean {
  return claims !== null && pagesFor(claims.scopes).length > 0;
}

/** The page of a path (itself or below it), or null for a path no page owns. */
export function pageOf(path: string): Page | null {
  return PAGES.find((page) => path === page.path || path.startsWith(`${page.path}/`)) ?? null;
}

/** The role to show: the token's `role` claim, else "staff" for a token with staff scopes. */
export function roleLabel(claims: StaffClaims | null): string {
  if (!claims) return '';
  if (claims.role) return claims.role.charAt(0).toUpperCase() + claims.role.slice(1);
  return isStaff(claims) ? 'Staff' : 'Customer';
}

export const STAFF_ONLY_MESSAGE = 'This app is for staff accounts. Sign in with a staff account.';
