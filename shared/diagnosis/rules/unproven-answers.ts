// Answers that prove nothing (a redirect, a cut or unreadable body) and calls the deadline stopped.
import { DOCS, FIXES } from '../fixes';
import { type Rule } from './rule-kit';

export const UNPROVEN_ANSWER_RULES: readonly Rule[] = [
  {
    id: 'deadline-exceeded',
    cause: 'other',
    detail: 'tenant_deadline_exceeded',
    reads: "the tenant's check deadline cut the call off, or passed before it was sent",
    match: (s) => (s.errorCode === 'tenant_deadline_exceeded' ? { confidence: 'medium', because: [] } : null),
    summary: () =>
      "The tenant's checks did not finish within the check deadline (TENANT_DEADLINE_SECONDS): a service answered too slowly, or a throttling wait used the time up.",
    fix: () => FIXES.slowService(),
    docs: [DOCS.serviceHealth],
  },
  {
    id: 'unexpected-redirect',
    cause: 'other',
    detail: 'unexpected_redirect',
    reads: 'a 3xx where the service answers directly',
    match: (s) => (s.errorName === 'UnexpectedRedirect' ? { confidence: 'medium', because: [] } : null),
    summary: (s) =>
      `${s.label} was redirected instead of answered: a proxy, captive portal or TLS-inspecting gateway between tenant-health and Microsoft, or a wrong endpoint URL.`,
    fix: () => FIXES.network(),
    docs: [DOCS.office365Endpoints],
  },
  {
    id: 'unreadable-answer',
    cause: 'other',
    detail: 'unreadable_answer',
    reads: 'a 2xx whose body is cut, not the expected format, too large, or without the element the probe looks for',
    match: (s) =>
      s.errorName === 'UnreadableAnswer' || s.errorName === 'UnexpectedAnswer'
        ? { confidence: 'medium', because: [], ...(s.errorCode ? { detail: s.errorCode } : {}) }
        : null,
    summary: (s) =>
      `${s.label} answered, but not with what proves the call works (a cut, empty or oversized body, or the wrong content); something between us and the service may be rewriting answers, or the service is failing.`,
    fix: () => FIXES.network(),
    docs: [DOCS.serviceHealth],
  },
];
