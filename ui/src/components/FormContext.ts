// What a Form tells its Fields: the error to show and which field names it has.
import { createContext } from 'react';

export interface FormCtx {
  error: unknown;
  register: (field: string) => () => void;
}
export const FormContext = createContext<FormCtx | null>(null);
