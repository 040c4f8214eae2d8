import { useEffect, useState } from 'react';

/** The time now, in ms, renewed every `everyMs`: for "5 minutes ago" that keeps itself true. */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}
