import { Button } from './Button';

/** "+ New …" in a list screen's header: opens the editor for a new record. */
export function NewButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <Button kind="primary" onClick={onClick}>
      + {label}
    </Button>
  );
}
