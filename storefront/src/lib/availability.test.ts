import { describe, expect, it } from 'vitest';
import { availabilityOf } from './availability';

describe('availabilityOf', () => {
  it('says sold out at zero (or below), adding to the cart off', () => {
    expect(availabilityOf(0)).toEqual({ label: 'Sold out', soldOut: true, tone: 'sold-out' });
    expect(availabilityOf(-1).soldOut).toBe(true);
  });

  it('counts the last five', () => {
    expect(availabilityOf(1).label).toBe('Only 1 left');
    expect(availabilityOf(5)).toEqual({ label: 'Only 5 left', soldOut: false, tone: 'few-left' });
  });

  it('says in stock above five', () => {
    expect(availabilityOf(6)).toEqual({ label: 'In stock', soldOut: false, tone: 'in-stock' });
    expect(availabilityOf(1_000_000).label).toBe('In stock');
  });
});
