// What the probes learn beyond their lines (the control plane's settings, the EWS inventory): plain data for diagnosis and readiness.
export interface ControlPlaneFacts {
  /** Get-OrganizationConfig EwsEnabled: true, false or null (not set). */
  organizationEwsEnabled?: boolean | null;
  /** EwsAllowedAppIDs as app ids; null when the list is not set. */
  ewsAllowedAppIds?: string[] | null;
  /** Whether the allow list names this tenant's app (null when there is no list). */
  appInAllowList?: boolean | null;
  ewsApplicationAccessPolicy?: string | null;
  /** Get-CASMailbox EwsEnabled per canary. */
  mailboxEwsEnabled: Record<string, boolean | null>;
}

export interface EwsUsageApp {
  appId: string;
  calls: number | null;
  lastActivity: string | null;
}
export interface FullAccessGrant {
  appId: string | null;
  displayName: string;
}

/** Each part is either what was read or why it could not be. */
export interface EwsInventory {
  usage: { apps: EwsUsageApp[]; posts: string[] } | { unavailable: string };
  grants: { holders: FullAccessGrant[] } | { unavailable: string };
}

/** What the tenant's directory says of itself (Graph /organization): how people name it and find it. */
export interface DirectoryFacts {
  displayName: string | null;
  /** Its verified domains, lower-case, the default first. */
  domains: string[];
}

/** Everything a cycle's probes learned. */
export interface ProbeFacts {
  controlPlane?: ControlPlaneFacts;
  ewsInventory?: EwsInventory;
  directory?: DirectoryFacts;
}
