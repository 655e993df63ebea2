import type { MouseEvent, ReactNode } from 'react';
import { useServices } from '../app/dashboard-context';
import { hrefOf, type Route } from '../app/router';

/** A real link (open in a new tab works) that moves inside the app without reloading it. */
export function Link({
  to,
  children,
  label,
  current,
}: {
  to: Route;
  children: ReactNode;
  label?: string;
  current?: boolean;
}) {
  const { navigation } = useServices();
  const href = hrefOf(to);
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigation.push(href);
  };
  return (
    <a href={href} onClick={follow} aria-label={label} aria-current={current ? 'page' : undefined}>
      {children}
    </a>
  );
}
