/** Puts the focus in the first field of `root` that takes typing (or the chosen radio button). */
export function focusFirst(root: HTMLElement | null): void {
  if (!root) return;
  const el = root.querySelector<HTMLElement>(
    'input:not([type=hidden]):not([type=radio]):not([disabled]):not([readonly]), input[type=radio]:checked, select:not([disabled]), textarea:not([disabled])',
  );
  el?.focus();
}
