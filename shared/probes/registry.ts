// Every probe checkTenant runs, in the order it runs them: a new probe is one file plus a line here.
import { CONTROL_PLANE_PROBE } from './control-plane';
import { EWS_GET_FOLDER_PROBE } from './ews';
import { EWS_INVENTORY_PROBE } from './ews-inventory';
import { GRAPH_INBOX_PROBE, GRAPH_ORGANIZATION_PROBE } from './graph';
import type { ProbeDefinition } from './probe-kit';

export const PROBES: readonly ProbeDefinition[] = [
  EWS_GET_FOLDER_PROBE,
  GRAPH_INBOX_PROBE,
  GRAPH_ORGANIZATION_PROBE,
  EWS_INVENTORY_PROBE,
  CONTROL_PLANE_PROBE,
];
