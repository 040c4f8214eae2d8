import type { ReactNode } from 'react';
import { PageHeader } from './PageHeader';

/** A screen of the desk: its header (title, subtitle, actions), then its content. */
export function Page({
  title,
  subtitle,
  actions,
  className,
  children,
}: {
  title: string;
  subtitle?: ReactNode;
  actions?: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  return (
    <div className={className}>
      <PageHeader title={title} subtitle={subtitle} actions={actions} />
      {children}
    </div>
  );
}
