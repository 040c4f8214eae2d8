import { act, useState } from 'react';
import { describe, expect, it } from 'vitest';
import { CheckField } from '../src/components/CheckField';
import { TextField } from '../src/components/TextField';
import { I18nProvider } from '../src/i18n';
import { bindFields, useFormValues } from '../src/lib/useFormValues';
import { render } from './render';

const renderInEnglish = (ui: React.ReactNode) => render(<I18nProvider lang="en">{ui}</I18nProvider>);

function type(host: HTMLElement, name: string, value: string) {
  const input = host.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  act(() => {
    setter.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

const input = (host: HTMLElement, name: string) => host.querySelector<HTMLInputElement>(`input[name="${name}"]`);

describe('a form of values', () => {
  it('shows each field its value and keeps what is typed in it, the others untouched', () => {
    let seen: { name: string; phone: string; active: boolean } | null = null;
    function CustomerForm() {
      const { values, set, field } = useFormValues({ name: 'Sari', phone: '', active: true });
      seen = values;
      return (
        <>
          <TextField {...field('name')} label="Name" />
          <TextField {...field('phone')} label="Phone" />
          <CheckField name="active" label="Active" checked={values.active} onChange={set('active')} />
        </>
      );
    }
    const host = renderInEnglish(<CustomerForm />);
    expect(input(host, 'name')!.value).toBe('Sari');
    type(host, 'phone', '0812');
    expect(input(host, 'phone')!.value).toBe('0812');
    act(() => input(host, 'active')!.click());
    expect(seen).toEqual({ name: 'Sari', phone: '0812', active: false });
  });

  it('gives a missing value as empty, and a whole new set of values at once', () => {
    let reset: (v: Record<string, string>) => void = () => {};
    function SettingsForm() {
      const { setValues, field } = useFormValues<Record<string, string>>({});
      reset = setValues;
      return <TextField {...field('business_name')} label="Business" />;
    }
    const host = renderInEnglish(<SettingsForm />);
    expect(input(host, 'business_name')!.value).toBe('');
    act(() => reset({ business_name: 'Loket Jaya' }));
    expect(input(host, 'business_name')!.value).toBe('Loket Jaya');
  });

  it('names a field with the prefix, and changes it through the form’s own setter', () => {
    const changed: string[] = [];
    function NestedCustomer() {
      const [cust, setCust] = useState({ name: '', email: '' });
      const set = (k: 'name' | 'email') => (v: string) => {
        changed.push(k);
        setCust((c) => ({ ...c, [k]: v }));
      };
      const field = bindFields(cust, set, 'customer.');
      return <TextField {...field('email')} label="Email" />;
    }
    const host = renderInEnglish(<NestedCustomer />);
    expect(input(host, 'email')).toBeNull();
    type(host, 'customer.email', 'sari@example.com');
    expect(input(host, 'customer.email')!.value).toBe('sari@example.com');
    expect(changed).toEqual(['email']);
  });
});
