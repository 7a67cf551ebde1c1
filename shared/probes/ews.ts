// The EWS probe: GetFolder on a canary's inbox, app-only with ExchangeImpersonation and X-AnchorMailbox.
import { randomUUID } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { CLOUDS } from '../core/clouds';
import type { TokenClaims } from '../core/evidence';
import type { HttpExchange } from '../clients/http';
import type { TenantDefinition } from '../core/tenants';
import {
  callOnce,
  throttleWaitMs,
  type ProbeContext,
  type ProbeDefinition,
  type ProbeOutcome,
  type Proof,
} from './probe-kit';
import { SOAP_PARSE_OPTIONS } from '../core/soap';

export type EwsAuth =
  { kind: 'bearer'; token: string; claims: TokenClaims } | { kind: 'basic'; username: string; password: string };

const escapeXml = (value: string) =>
  value.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

export function getFolderEnvelope(mailbox: string, impersonate: boolean): string {
  const impersonation = impersonate
    ? `<t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>${escapeXml(mailbox)}</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation>`
    : '';
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">` +
    `<soap:Header><t:RequestServerVersion Version="Exchange2016"/>${impersonation}</soap:Header>` +
    `<soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape><t:AdditionalProperties>` +
    `<t:FieldURI FieldURI="folder:DisplayName"/><t:FieldURI FieldURI="folder:TotalCount"/></t:AdditionalProperties></m:FolderShape>` +
    `<m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder></soap:Body></soap:Envelope>`
  );
}

/** What an EWS answer says, read from SOAP: a response message, a fault, or nothing recognisable. */
export interface EwsReading {
  kind: 'response' | 'fault' | 'none';
  responseClass?: string;
  responseCode?: string;
  messageText?: string;
  faultCode?: string;
  faultString?: string;
  backOffMs?: number;
}

// The SOAP header and the folders themselves are kept as unread text: the proof needs only the message's class and
// code, and parsing the rest was most of the probe's CPU.
const parser = new XMLParser({ ...SOAP_PARSE_OPTIONS, stopNodes: ['*.Header', '*.Folders'] });
type Node = Record<string, unknown>;
const node = (value: unknown): Node => (typeof value === 'object' && value !== null ? (value as Node) : {});
const text = (value: unknown): string | undefined =>
  typeof value === 'string'
    ? value
    : typeof node(value)['#text'] === 'string'
      ? (node(value)['#text'] as string)
      : undefined;

export function readEwsBody(body: string): EwsReading {
  if (!body.trim() || XMLValidator.validate(body) !== true) return { kind: 'none' };
  const envelope = node(node(parser.parse(body) as unknown).Envelope);
  const soapBody = node(envelope.Body);
  const fault = node(soapBody.Fault);
  if (Object.keys(fault).length > 0) {
    const detail = node(fault.detail);
    const values = node(node(detail.MessageXml).Value);
    const backOff = values['@Name'] === 'BackOffMilliseconds' ? Number(text(values)) : undefined;
    return {
      kind: 'fault',
      faultCode: text(fault.faultcode)?.replace(/^\w+:/, ''),
      faultString: text(fault.faultstring),
      responseCode: text(detail.ResponseCode),
      ...(backOff !== undefined && Number.isFinite(backOff) ? { backOffMs: backOff } : {}),
    };
  }
  const response = Object.values(soapBody)
    .map(node)
    .find((n) => n.ResponseMessages);
  const message = response ? Object.values(node(response.ResponseMessages)).map(node)[0] : undefined;
  if (!message) return { kind: 'none' };
  return {
    kind: 'response',
    responseClass: text(message['@ResponseClass']),
    responseCode: text(message.ResponseCode),
    messageText: text(message.MessageText),
  };
}

/** ErrorServerBusy's BackOffMilliseconds, or Retry-After on a 503. */
function ewsWait(exchange: HttpExchange): number | null {
  if (exchange.status === 500 && exchange.body.includes('ErrorServerBusy'))
    return readEwsBody(exchange.body).backOffMs ?? null;
  return throttleWaitMs(exchange);
}

/** A GetFolder answer proves EWS works only as a SOAP response whose message succeeded; a SOAP error explains itself. */
const getFolderProof: Proof = (exchange) => {
  const reading = readEwsBody(exchange.body);
  if (reading.kind === 'none')
    return `EWS answered ${exchange.status} but the body is not a SOAP GetFolderResponse (empty, cut, or not XML)`;
  if (
    reading.kind === 'response' &&
    reading.responseClass !== 'Success' &&
    !reading.responseCode?.startsWith('Error')
  ) {
    return `EWS answered GetFolder with ResponseClass ${reading.responseClass ?? '(none)'} and ResponseCode ${reading.responseCode ?? '(none)'}, not Success`;
  }
  return null;
};

export async function probeEwsGetFolder(
  context: ProbeContext,
  tenant: TenantDefinition,
  mailbox: string,
  auth: EwsAuth,
): Promise<ProbeOutcome> {
  const impersonate = auth.kind === 'bearer' && tenant.checks.ews.impersonation;
  const authorization =
    auth.kind === 'bearer'
      ? `Bearer ${auth.token}`
      : `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const { exchange, evidence, ms, ok } = await callOnce(
    context,
    {
      endpoint: 'ews',
      operation: 'GetFolder',
      authMode: auth.kind === 'bearer' ? 'app-only' : 'basic',
      impersonation: impersonate,
      mailbox,
      method: 'POST',
      url: `${CLOUDS[tenant.cloud].exchange}/EWS/Exchange.asmx`,
      headers: {
        'content-type': 'text/xml; charset=utf-8',
        authorization,
        'x-anchormailbox': mailbox,
        'user-agent': context.userAgent,
        'client-request-id': randomUUID(),
      },
      body: getFolderEnvelope(mailbox, impersonate),
      ...(auth.kind === 'bearer' ? { tokenClaims: auth.claims } : {}),
    },
    ewsWait,
    getFolderProof,
  );
  return { result: { name: 'ews.getFolder', mailbox, ok, status: exchange.status, ms }, evidence };
}

/** EWS GetFolder on each canary's inbox, app-only with impersonation (or Basic, where the app still uses it). */
export const EWS_GET_FOLDER_PROBE: ProbeDefinition = {
  name: 'ews.getFolder',
  per: 'mailbox',
  enabled: (tenant) => tenant.checks.ews.enabled,
  token: (tenant) => (tenant.checks.ews.auth === 'basic' ? null : 'ews'),
  run: async ({ context, tenant, token, material, mailbox }) => ({
    outcomes: [
      await probeEwsGetFolder(
        context,
        tenant,
        mailbox!,
        token
          ? { kind: 'bearer', token: token.token, claims: token.claims }
          : { kind: 'basic', username: mailbox!, password: 'secret' in material ? material.secret : '' },
      ),
    ],
  }),
  permission: { check: 'ews', resource: 'exchange', roles: ['full_access_as_app'] },
  readiness: ['A', 'E'],
};
