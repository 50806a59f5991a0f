import { describe, expect, it } from 'vitest';
import { decodeClaims, isStaff, PAGES, pageOf, pagesFor, roleLabel } from './access';

function token(payload: unknown): string {
  const encode = (value: unknown) =>
    Buffer.from(JSON.stringify(value)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${encode({ alg: 'EdDSA', typ: 'JWT' })}.${encode(payload)}.c2lnbmF0dXJl`;
}

// The scopes of each role, as subgraphs/kernel/core/access.py grants them (ROLE_SCOPES).
const SUPPORT = 'customers:read orders:cancel:any orders:read:any refunds:decide';
const CATALOG = 'catalog:write';
const ADMIN = 'activity:read catalog:write customers:read orders:cancel:any orders:read:any refunds:decide staff:manage';

const labels = (scope: string) => pagesFor(new Set(scope.split(' '))).map((page) => page.label);

describe('the page -> scope table', () => {
  it('links support to orders, refund requests and customers only', () => {
    expect(labels(SUPPORT)).toEqual(['Orders', 'Refund requests', 'Customers']);
  });

  it('links the catalog role to products only', () => {
    expect(labels(CATALOG)).toEqual(['Products']);
  });

  it('links an admin to every page, in navigation order', () => {
    expect(labels(ADMIN)).toEqual(PAGES.map((page) => page.label));
    expect(labels(ADMIN)).toEqual(['Orders', 'Refund requests', 'Customers', 'Products', 'Staff', 'Activity']);
  });

  it('links nothing for a customer token and unknown scopes', () => {
    expect(pagesFor(new Set())).toEqual([]);
    expect(labels('profile:write')).toEqual([]);
  });

  it('finds the page of a path and of the paths below it', () => {
    expect(pageOf('/orders')?.scope).toBe('orders:read:any');
    expect(pageOf('/orders/o-1')?.scope).toBe('orders:read:any');
    expect(pageOf('/ordersx')).toBeNull();
    expect(pageOf('/')).toBeNull();
  });

  it('has one path and one label per page', () => {
    expect(new Set(PAGES.map((page) => page.path)).size).toBe(PAGES.length);
    expect(new Set(PAGES.map((page) => page.label)).size).toBe(PAGES.length);
  });
});

describe('decodeClaims', () => {
  it('reads subject, role, scopes and expiry of a staff token', () => {
    const claims = decodeClaims(token({ sub: 'u-1', role: 'support', scope: SUPPORT, exp: 1_900_000_000 }));
    expect(claims).not.toBeNull();
    expect(claims!.subject).toBe('u-1');
    expect(claims!.role).toBe('support');
    expect([...claims!.scopes].sort()).toEqual(SUPPORT.split(' '));
    expect(claims!.expiresAt).toBe(1_900_000_000_000);
    expect(isStaff(claims)).toBe(true);
    expect(roleLabel(claims)).toBe('Support');
  });

  it('takes a customer token (no scope claim) as no staff', () => {
    const claims = decodeClaims(token({ sub: 'u-2', exp: 1_900_000_000 }));
    expect(claims!.scopes.size).toBe(0);
    expect(isStaff(claims)).toBe(false);
    expect(roleLabel(claims)).toBe('Customer');
  });

  it('shows "Staff" when a staff token carries no role claim', () => {
    expect(roleLabel(decodeClaims(token({ sub: 'u-3', scope: CATALOG })))).toBe('Staff');
  });

  it('decodes base64url payloads with non-ASCII text', () => {
    const claims = decodeClaims(token({ sub: 'ü-ß/+?', scope: 'staff:manage', role: 'admin' }));
    expect(claims!.subject).toBe('ü-ß/+?');
  });

  it('ignores a scope claim that is not a string and a role that is empty', () => {
    const claims = decodeClaims(token({ sub: 'u-4', scope: ['staff:manage'], role: '' }));
    expect(claims!.scopes.size).toBe(0);
    expect(claims!.role).toBeNull();
  });

  it('refuses what is not a JWT with a JSON object payload', () => {
    expect(decodeClaims('')).toBeNull();
    expect(decodeClaims('a.b')).toBeNull();
    expect(decodeClaims('a.!!!.c')).toBeNull();
    expect(decodeClaims(`x.${Buffer.from('[1]').toString('base64')}.y`)).toBeNull();
    expect(decodeClaims(`x.${Buffer.from('"text"').toString('base64')}.y`)).toBeNull();
    expect(isStaff(null)).toBe(false);
  });
});
