// The diagnosis rules as data, by family: each names its cause, the evidence it reads, when it matches, and the fix.
// Grown by adding rows. Order matters only between matches of equal confidence: deeper causes come first.
import { INFRASTRUCTURE_RULES } from './infrastructure';
import { UNPROVEN_ANSWER_RULES } from './unproven-answers';
import { ENTRA_RULES } from './entra';
import { TOKEN_ACCEPTANCE_RULES } from './token-acceptance';
import { PERMISSION_RULES } from './permissions';
import { MAILBOX_SCOPE_RULES } from './mailbox-scope';
import { EWS_ACCESS_RULES } from './ews-access';
import { MISSING_MAILBOX_RULES } from './missing-mailboxes';
import { THROTTLING_RULES } from './throttling';
import { BASIC_AUTH_RULES } from './basic-auth';
import { BARE_401_RULES } from './bare-401';
import { TRANSPORT_RULES, UNEXPLAINED } from './transport';
import type { Rule } from './rule-kit';

export type { Confidence, CycleEvidence, Match, Rule } from './rule-kit';
export { UNEXPLAINED };

export const RULES: readonly Rule[] = [
  ...INFRASTRUCTURE_RULES,
  ...UNPROVEN_ANSWER_RULES,
  ...ENTRA_RULES,
  ...TOKEN_ACCEPTANCE_RULES,
  ...PERMISSION_RULES,
  ...MAILBOX_SCOPE_RULES,
  ...EWS_ACCESS_RULES,
  ...MISSING_MAILBOX_RULES,
  ...THROTTLING_RULES,
  ...BASIC_AUTH_RULES,
  ...BARE_401_RULES,
  ...TRANSPORT_RULES,
];
