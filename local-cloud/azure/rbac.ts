import { ArmError } from './arm-state.ts';

/**
 * One role assignment as Azure RBAC evaluates it: a principal (object id, or '*' for every caller), the scope it is
 * assigned at, and its role's Actions and NotActions. NotActions only subtract from the same role's Actions; they
 * are not a deny (learn.microsoft.com/azure/role-based-access-control/role-definitions#notactions).
 */
export interface RoleAssignment {
  principalId: string;
  scope: string;
  actions: string[];
  notActions: string[];
}

/** Every caller Owner-like on everything: what the emulator did before it modelled RBAC, and its default. */
export const OPEN_ASSIGNMENT: RoleAssignment = { principalId: '*', scope: '/', actions: ['*'], notActions: [] };

/** An action pattern (`*` wildcards, case-insensitive) as a regular expression. */
const pattern = (p: string) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
const matches = (patterns: readonly string[], action: string) => patterns.some((p) => pattern(p).test(action));

/** Whether an assignment at `scope` reaches `resourceId` (a scope covers itself and everything under it). */
const covers = (scope: string, resourceId: string) => {
  const s = scope.toLowerCase().replace(/\/+$/, '');
  const r = resourceId.toLowerCase();
  return s === '' || r === s || r.startsWith(`${s}/`);
};

const clientText = (principal: string) => `The client '${principal}' with object id '${principal}'`;

/** The emulated subscription's role assignments and the two refusals Resource Manager answers with. */
export class ArmRbac {
  assignments: RoleAssignment[] = [OPEN_ASSIGNMENT];

  /** The assignments that apply to `principal` at `resourceId`: what the permissions API lists, one entry each. */
  applying(principal: string, resourceId: string): RoleAssignment[] {
    return this.assignments.filter(
      (a) => (a.principalId === '*' || a.principalId === principal) && covers(a.scope, resourceId),
    );
  }

  allowed(principal: string, resourceId: string, action: string): boolean {
    return this.applying(principal, resourceId).some(
      (a) => matches(a.actions, action) && !matches(a.notActions, action),
    );
  }

  /** 403 AuthorizationFailed, Resource Manager's answer to a call without the action at the resource's scope. */
  require(principal: string, resourceId: string, action: string): void {
    if (this.allowed(principal, resourceId, action)) return;
    throw new ArmError(
      403,
      'AuthorizationFailed',
      `${clientText(principal)} does not have authorization to perform action '${action}' over scope '${resourceId}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  }

  /**
   * 403 LinkedAuthorizationFailed: the caller may write the resource but lacks the action on a resource the body
   * references (a NIC's subnet, public IP, NSG, application security groups, load-balancer pools: each a join).
   */
  requireLinked(principal: string, action: string, resourceId: string, linked: { scope: string; action: string }[]) {
    const missing = linked.filter((l) => !this.allowed(principal, l.scope, l.action));
    if (missing.length === 0) return;
    throw new ArmError(
      403,
      'LinkedAuthorizationFailed',
      `${clientText(principal)} has permission to perform action '${action}' on scope '${resourceId}'; however, it does not have permission to perform action(s) '${missing.map((m) => m.action).join(',')}' on the linked scope(s) '${missing.map((m) => m.scope).join(',')}' (respectively) or the linked scope(s) are invalid.`,
    );
  }

  /** Back to the default: every caller may do everything. */
  reset(): void {
    this.assignments = [OPEN_ASSIGNMENT];
  }
}

/** The RBAC action of a read or write of one emulated resource kind (the routes of arm-wire.ts). */
export function actionOf(kind: string, write: boolean): string {
  // a list of a resource group's NICs or route tables is a read of that type at the resource group
  if (kind.endsWith('List')) return `Microsoft.Network/${kind.slice(0, -4)}/read`;
  const type = kind === 'routes' ? 'routeTables/routes' : kind === 'subnets' ? 'virtualNetworks/subnets' : kind;
  return `Microsoft.Network/${type}/${write ? 'write' : 'read'}`;
}
