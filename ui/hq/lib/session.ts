import { createContext, useContext } from 'react';

/** The logged-in head-office user's role (`hq_admin`, `hq_viewer`), for what a screen offers. */
export const HqRole = createContext<string>('hq_viewer');

export function useHqRole(): string {
  return useContext(HqRole);
}
