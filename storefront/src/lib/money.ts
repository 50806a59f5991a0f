// Money from the API's decimal strings: formatted and added without ever going through a float.

export interface Money {
  amount: string;
  currency: string;
}

const formatters = new Map<string, Intl.NumberFormat>();

export function formatMoney(money: Money, locale?: string): string {
  const key = `${locale ?? ''}|${money.currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: 'currency', currency: money.currency });
    formatters.set(key, formatter);
  }
  // Intl.NumberFormat formats a decimal string exactly (no float rounding on the way).
  return formatter.format(money.amount as unknown as number);
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** `a * quantity` summed over lines, exact: scaled BigInt arithmetic on the decimal strings. */
export function sumDecimals(terms: ReadonlyArray<{ amount: string; quantity: number }>): string {
  let scale = 0;
  for (const term of terms) {
    const match = DECIMAL.exec(term.amount);
    if (!match) throw new Error(`not a decimal: ${term.amount}`);
    scale = Math.max(scale, match[3]?.length ?? 0);
  }
  let total = 0n;
  for (const term of terms) {
    const [, sign, whole, fraction = ''] = DECIMAL.exec(term.amount)!;
    const units = BigInt(whole + fraction.padEnd(scale, '0')) * (sign ? -1n : 1n);
    total += units * BigInt(term.quantity);
  }
  const negative = total < 0n;
  const digits = (negative ? -total : total).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale ? `.${digits.slice(digits.length - scale)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

export function formatTime(iso: string, locale?: string): string {
  return new Date(iso).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' });
}
