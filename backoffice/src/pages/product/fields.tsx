import type { TextareaHTMLAttributes } from 'react';
import { Field } from '@storefront/components/Field';
import type { FormErrors } from '@storefront/lib/errors';
import { CURRENCIES, priceField, type Currency } from '../../lib/products';

/** The longest description the catalog takes (its `DESCRIPTION_TOO_LONG`). */
export const MAX_DESCRIPTION_LENGTH = 2000;
/** The longest name the catalog takes (its `NAME_TOO_LONG`). */
export const MAX_NAME_LENGTH = 200;

/** A labelled textarea with its error, as `Field` is for an input. */
export function TextArea({
  label,
  name,
  error,
  ...textarea
}: TextareaHTMLAttributes<HTMLTextAreaElement> & { label: string; name: string; error?: string }) {
  const id = `field-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        name={name}
        rows={4}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        {...textarea}
      />
      {error ? (
        <p id={`${id}-error`} className="error field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** One box per currency ("Price (USD)", "Price (EUR)"); empty means not sold in it. */
export function PriceFields({
  errors,
  defaults,
  disabled,
}: {
  errors: FormErrors;
  defaults?: Partial<Record<Currency, string>>;
  disabled?: boolean;
}) {
  return (
    <fieldset className="prices">
      <legend>Prices</legend>
      <p className="hint">Leave a box empty to not sell the product in that currency.</p>
      {CURRENCIES.map((currency) => (
        <Field
          key={currency}
          label={`Price (${currency})`}
          name={priceField(currency)}
          inputMode="decimal"
          autoComplete="off"
          defaultValue={defaults?.[currency] ?? ''}
          disabled={disabled}
          error={errors.fields[priceField(currency)]}
        />
      ))}
    </fieldset>
  );
}

/** The price boxes' values of a submitted form. */
export function priceValues(data: FormData): Partial<Record<Currency, string>> {
  return Object.fromEntries(CURRENCIES.map((currency) => [currency, String(data.get(priceField(currency)) ?? '')]));
}

/** The errors a form's fields do not show, announced. */
export function GeneralErrors({ errors }: { errors: FormErrors }) {
  return errors.general.length ? (
    <div className="error" role="alert">
      {errors.general.map((message) => (
        <p key={message}>{message}</p>
      ))}
    </div>
  ) : null;
}
