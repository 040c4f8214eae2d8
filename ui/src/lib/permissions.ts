// What the logged-in user may do comes from the core: `auth.login` and
// `auth.me` list the role's permissions (from `Role::allows` in src/auth.rs),
// so there is no second copy of the matrix here. The UI only hides what the
// user may not do; the core still checks every operation.
import type { Schemas } from '../api/ops';

export type Permission = Schemas['Permission'];

export function can(granted: readonly Permission[] | null | undefined, p: Permission): boolean {
  return !!granted && granted.includes(p);
}
