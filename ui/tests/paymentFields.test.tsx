import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { PaymentFields } from '../src/components/PaymentFields';
import { I18nProvider } from '../src/i18n';
import { useFormValues } from '../src/lib/useFormValues';
import { render } from './render';

describe("a booking's payment fields", () => {
  it('offer the payment statuses and methods in words, and keep what is chosen', () => {
    let seen: Record<string, string> = {};
    function Booking() {
      const { values, field } = useFormValues({ payment_status: 'pending', payment_method: '', payment_date: '' });
      seen = values;
      return <PaymentFields field={field} />;
    }
    const host = render(
      <I18nProvider lang="en">
        <Booking />
      </I18nProvider>,
    );
    const status = host.querySelector<HTMLSelectElement>('select[name="payment_status"]')!;
    const method = host.querySelector<HTMLSelectElement>('select[name="payment_method"]')!;
    expect([...status.options].map((o) => o.value)).toEqual(['pending', 'dp', 'paid', 'overdue']);
    // a method may be left unset: an empty first choice
    expect([...method.options].map((o) => o.value)).toEqual(['', 'transfer', 'cash', 'check', 'credit']);
    expect(method.options[0].textContent).toBe('—');
    expect(status.selectedOptions[0].textContent).toBe('Unpaid');
    expect(method.options[2].textContent).toBe('Cash');
    expect(host.querySelector<HTMLInputElement>('input[name="payment_date"]')!.type).toBe('date');
    act(() => {
      method.value = 'cash';
      method.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(seen).toEqual({ payment_status: 'pending', payment_method: 'cash', payment_date: '' });
    expect([...host.querySelectorAll('label')].map((l) => l.textContent)).toEqual(['Payment status', 'Payment method', 'Payment date']);
  });
});
