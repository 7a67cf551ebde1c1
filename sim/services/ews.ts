// Simulated EWS (/EWS/Exchange.asmx): checks what Exchange Online checks, in its order, and fails the way it fails.
// Sources per failure: Basic auth 401 (learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/
// disable-basic-authentication-in-exchange-online: "WWW-Authenticate: Basic Realm", X-BackEndHttpStatus: 401);
// x-ms-diagnostics 2000003/2000008 (OfficeDev/hands-on-labs#118, otris/ews-cpp#148, ews-java-api traces);
// ErrorInvalidExchangeImpersonationHeaderData (OfficeDev/ews-managed-api#245, exchangelib#735, HTTP 500);
// X-EWS-Policy-Reason (how-to-control-access-to-ews-in-exchange); ErrorServerBusy (ews-throttling-in-exchange).
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { FULL_ACCESS_AS_APP } from '../../shared/core/clouds';
import { ewsPolicyBlock, mailboxScope, rbacAssignments } from '../exchange-policy';
import { header, newRequestId, scalarText, type SimRequest, type SimResponse } from '../http-kit';
import { audienceResource, checkBearer } from '../tokens';
import type { MailboxRuntime, SimWorld, TenantRuntime } from '../world';
import * as xml from './ews-xml';
import { SOAP_PARSE_OPTIONS } from '../../shared/core/soap';

const EWS_RBAC_ROLES = ['Application EWS.AccessAsApp', 'Application Exchange Full Access'];
const EXO_CHALLENGE =
  'Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*", ' +
  'token_types="app_asserted_user_v1 service_asserted_app_v1", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"';

const parser = new XMLParser({
  ...SOAP_PARSE_OPTIONS,
  isArray: (name) => ['FolderId', 'DistinguishedFolderId', 'AlternateId', 'UnresolvedEntry'].includes(name),
});

type Node = Record<string, unknown>;
const asNode = (value: unknown): Node => (typeof value === 'object' && value !== null ? (value as Node) : {});
/** Element text, whether the parser gave a plain value or an object with attributes and #text. */
const text = (value: unknown): string => scalarText(value, scalarText(asNode(value)['#text']));

export function handleEws(req: SimRequest, world: SimWorld): SimResponse {
  const authorization = header(req, 'authorization');
  if (/^Basic\s/i.test(authorization ?? '')) {
    // Basic authentication is off in Exchange Online: an empty 401 that says nothing more.
    return respond(401, '', { 'www-authenticate': 'Basic Realm=""', 'x-backendhttpstatus': '401' });
  }
  const check = checkBearer(world, authorization);
  if (!check.ok) {
    if (check.reason === 'missing') return respond(401, '', { 'www-authenticate': `${EXO_CHALLENGE},Basic Realm=""` });
    const reason = {
      malformed: 'The token is invalid.',
      signature: 'The token has an invalid signature.',
      expired: 'Lifetime validation failed, the token is expired.',
      'not-yet-valid': 'Lifetime validation failed, the token is not yet valid.',
      'unknown-tenant': 'The token issuer is not trusted.',
    }[check.reason];
    return unauthorized(`2000001;reason="${reason}";error_category="invalid_token"`);
  }
  const { claims, tenant } = check;
  if (audienceResource(claims.aud) !== 'exchange' || !tenant) {
    return unauthorized(
      `2000003;reason="The audience claim value is invalid '${claims.aud}'.";error_category="invalid_resource"`,
    );
  }
  const appOnly = claims.scp === undefined;
  const entraGranted = claims.roles.includes(FULL_ACCESS_AS_APP.value);
  const rbacGranted = rbacAssignments(tenant.spec, claims.appid, EWS_RBAC_ROLES).length > 0;
  if (appOnly && !entraGranted && !rbacGranted) {
    const reason =
      claims.roles.length === 0
        ? 'The token contains no permissions, or permissions can not be understood.'
        : 'The token contains not enough scope to make this call.';
    return unauthorized(`2000008;reason="${reason}";error_category="invalid_grant"`, tenant);
  }

  const raw = req.body.toString('utf8');
  const validation = XMLValidator.validate(raw);
  if (validation !== true) {
    return soapFault('ErrorSchemaValidation', `The request failed schema validation: ${validation.err.msg}`, tenant);
  }
  const envelope = asNode(asNode(parser.parse(raw) as unknown).Envelope);
  const body = asNode(envelope.Body);
  const operation = Object.keys(body).find((k) => !k.startsWith('@'));
  if (!operation)
    return soapFault(
      'ErrorSchemaValidation',
      "The request failed schema validation: The element 'Body' is missing its operation.",
      tenant,
    );
  const connecting = asNode(asNode(asNode(envelope.Header).ExchangeImpersonation).ConnectingSID);
  const impersonated =
    text(connecting.PrimarySmtpAddress) || text(connecting.SmtpAddress) || text(connecting.PrincipalName);
  if (appOnly && !impersonated) {
    return soapFault(
      'ErrorInvalidExchangeImpersonationHeaderData',
      'ExchangeImpersonation SOAP header must be present for this type of OAuth token.',
      tenant,
    );
  }
  const mailbox = tenant.mailboxes.get(impersonated.toLowerCase());
  if (!mailbox || mailbox.spec.state !== 'active' || mailbox.spec.license === 'none') {
    return soapFault('ErrorNonExistentMailbox', 'The SMTP address has no mailbox associated with it.', tenant);
  }
  const policyReason = ewsPolicyBlock(
    tenant.spec,
    mailbox.spec,
    claims.appid,
    header(req, 'user-agent') ?? '',
    world.now(),
  );
  if (policyReason) return respond(403, '', { 'x-ews-policy-reason': policyReason }, tenant);
  if (mailboxScope(tenant.spec, claims.appid, mailbox.spec.address, entraGranted, EWS_RBAC_ROLES) !== 'allowed') {
    // Outside an Application Access Policy or RBAC scope Exchange answers an empty 403 (exchangelib: MalformedResponseError).
    return respond(403, '', {}, tenant);
  }
  const budget = tenant.spec.throttling.ews;
  if (
    budget &&
    !world.takeBudget(
      `ews|${tenant.spec.tenantId}|${claims.appid}|${mailbox.spec.address}`.toLowerCase(),
      budget.requestsPerMinute,
    )
  ) {
    return soapFault(
      'ErrorServerBusy',
      'The server cannot service this request right now. Try again later.',
      tenant,
      `<t:Value Name="BackOffMilliseconds">${budget.backOffMilliseconds}</t:Value>`,
    );
  }
  return operate(operation, asNode(body[operation]), tenant, mailbox, world);
}

function operate(
  operation: string,
  request: Node,
  tenant: TenantRuntime,
  mailbox: MailboxRuntime,
  world: SimWorld,
): SimResponse {
  switch (operation) {
    case 'GetFolder': {
      const ids = folderIds(asNode(request.FolderIds));
      return ok(
        operation,
        ids
          .map((id) => resolveFolder(id, mailbox))
          .map((r) => (r.ok ? { ok: true, content: `<m:Folders>${xml.folderXml(r.folder)}</m:Folders>` } : r)),
        tenant,
      );
    }
    case 'FindItem': {
      const ids = folderIds(asNode(request.ParentFolderIds));
      return ok(
        operation,
        ids.map((id) => {
          const r = resolveFolder(id, mailbox);
          if (!r.ok) return r;
          const items =
            r.folder.folderClass === 'IPF.Note' && r.folder.displayName === 'Inbox'
              ? inboxMessages(mailbox, world)
              : [];
          return { ok: true, content: xml.findItemRoot(items) };
        }),
        tenant,
      );
    }
    case 'ResolveNames': {
      const entries = (request.UnresolvedEntry as unknown[] | undefined)?.map(text) ?? [];
      return ok(
        operation,
        entries.map((entry) => {
          const needle = entry.toLowerCase().replace(/^smtp:/, '');
          const found = [...tenant.mailboxes.values()].filter(
            (m) =>
              m.spec.address.toLowerCase() === needle || (m.spec.displayName ?? '').toLowerCase().startsWith(needle),
          );
          if (found.length === 0)
            return { ok: false, code: 'ErrorNameResolutionNoResults', text: 'No results were found.' };
          return {
            ok: true,
            content: xml.resolutionSet(
              found.map((m) => ({ name: m.spec.displayName ?? m.spec.address, address: m.spec.address })),
            ),
          };
        }),
        tenant,
      );
    }
    case 'ConvertId': {
      const destination = text(request['@DestinationFormat']) || 'EwsId';
      const ids = (asNode(request.SourceIds).AlternateId as unknown[] | undefined) ?? [];
      return ok(
        operation,
        ids.map(asNode).map((alt) => {
          const id = text(alt['@Id']);
          const owner = text(alt['@Mailbox']).toLowerCase();
          if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(id) || !tenant.mailboxes.has(owner))
            return { ok: false, code: 'ErrorInvalidIdMalformed', text: 'Id is malformed.' };
          return { ok: true, content: xml.alternateId(destination, id, text(alt['@Mailbox'])) };
        }),
        tenant,
      );
    }
    default:
      return soapFault(
        'ErrorSchemaValidation',
        `The request failed schema validation: The element 'Body' in namespace 'http://schemas.xmlsoap.org/soap/envelope/' has invalid child element '${operation}'.`,
        tenant,
      );
  }
}

type FolderRef = { distinguished: string; mailbox?: string } | { id: string };
type FolderResolution = { ok: true; folder: xml.FolderView } | { ok: false; code: string; text: string };

function folderIds(container: Node): FolderRef[] {
  const distinguished = ((container.DistinguishedFolderId as unknown[] | undefined) ?? []).map(asNode).map((n) => ({
    distinguished: text(n['@Id']),
    mailbox: text(asNode(n.Mailbox).EmailAddress) || undefined,
  }));
  const byId = ((container.FolderId as unknown[] | undefined) ?? []).map(asNode).map((n) => ({ id: text(n['@Id']) }));
  return [...distinguished, ...byId];
}

const WELL_KNOWN: Record<string, { name: string; folderClass: string; element: xml.FolderView['element'] }> = {
  root: { name: 'Root', folderClass: '', element: 'Folder' },
  msgfolderroot: { name: 'Top of Information Store', folderClass: 'IPF.Note', element: 'Folder' },
  inbox: { name: 'Inbox', folderClass: 'IPF.Note', element: 'Folder' },
  sentitems: { name: 'Sent Items', folderClass: 'IPF.Note', element: 'Folder' },
  deleteditems: { name: 'Deleted Items', folderClass: 'IPF.Note', element: 'Folder' },
  drafts: { name: 'Drafts', folderClass: 'IPF.Note', element: 'Folder' },
  junkemail: { name: 'Junk Email', folderClass: 'IPF.Note', element: 'Folder' },
  calendar: { name: 'Calendar', folderClass: 'IPF.Appointment', element: 'CalendarFolder' },
  contacts: { name: 'Contacts', folderClass: 'IPF.Contact', element: 'ContactsFolder' },
};

export const folderId = (mailbox: MailboxRuntime, name: string): string =>
  Buffer.from(`AAMkA${mailbox.objectId}:${name}`).toString('base64');

function resolveFolder(ref: FolderRef, mailbox: MailboxRuntime): FolderResolution {
  let name: string | undefined;
  if ('distinguished' in ref) {
    if (ref.mailbox && ref.mailbox.toLowerCase() !== mailbox.spec.address.toLowerCase()) {
      return { ok: false, code: 'ErrorAccessDenied', text: 'Access is denied. Check credentials and try again.' };
    }
    name = ref.distinguished.toLowerCase();
  } else {
    name = Object.keys(WELL_KNOWN).find((n) => folderId(mailbox, n) === ref.id);
    if (!name) return { ok: false, code: 'ErrorInvalidIdMalformed', text: 'Id is malformed.' };
  }
  const known = WELL_KNOWN[name];
  if (!known)
    return { ok: false, code: 'ErrorFolderNotFound', text: 'The specified folder could not be found in the store.' };
  const total = name === 'inbox' ? mailbox.spec.inboxItems : 0;
  return {
    ok: true,
    folder: {
      id: folderId(mailbox, name),
      parentId: folderId(mailbox, 'root'),
      folderClass: known.folderClass,
      displayName: known.name,
      total,
      unread: Math.min(1, total),
      element: known.element,
    },
  };
}

export function inboxMessages(mailbox: MailboxRuntime, world: SimWorld): xml.MessageView[] {
  return Array.from({ length: mailbox.spec.inboxItems }, (_, i) => ({
    id: Buffer.from(`AAMkA${mailbox.objectId}:message:${i}`).toString('base64'),
    subject: `Canary message ${i + 1}`,
    received: new Date(world.startedAt - (i + 1) * 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    from: `noreply@${mailbox.spec.address.split('@')[1]}`,
  }));
}

function ok(operation: string, results: xml.MessageResult[], tenant: TenantRuntime): SimResponse {
  return respond(200, xml.envelope(xml.responseMessages(operation, results)), {}, tenant);
}

function soapFault(code: string, message: string, tenant: TenantRuntime, messageXml = ''): SimResponse {
  return respond(500, xml.fault(code, message, messageXml), {}, tenant);
}

function unauthorized(diagnostics: string, tenant?: TenantRuntime): SimResponse {
  return respond(
    401,
    '',
    { 'www-authenticate': `${EXO_CHALLENGE}, error="invalid_token",Basic Realm=""`, 'x-ms-diagnostics': diagnostics },
    tenant,
  );
}

/** Exchange Online's front-end headers on every EWS answer. */
function respond(status: number, body: string, headers: Record<string, string>, tenant?: TenantRuntime): SimResponse {
  const server = 'SIM1PR01MB0001';
  return {
    status,
    tenantId: tenant?.spec.tenantId,
    headers: {
      ...(body ? { 'content-type': 'text/xml; charset=utf-8' } : { 'content-length': '0' }),
      server: 'Microsoft-IIS/10.0',
      'request-id': newRequestId(),
      'x-calculatedbetarget': `${server}.namprd01.prod.outlook.com`,
      'x-backendhttpstatus': String(status),
      'x-diaginfo': server,
      'x-beserver': server,
      'x-feserver': 'SIM1PR02CA0001',
      'x-powered-by': 'ASP.NET',
      ...headers,
    },
    body,
  };
}
