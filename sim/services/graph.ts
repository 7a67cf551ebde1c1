// Simulated Microsoft Graph v1.0: the mailbox, directory and inventory reads tenant-health makes, with Graph's error JSON.
// Error codes and texts: learn.microsoft.com/graph/errors, learn.microsoft.com/graph/auth-limit-mailbox-access
// ("Access to OData is disabled."), learn.microsoft.com/graph/throttling-limits (4 concurrent requests per mailbox),
// learn.microsoft.com/graph/json-batching (20 requests), and publicly posted responses (microsoftgraph/msgraph-sdk-java#510
// headers; microsoftgraph/msgraph-sdk-javascript#1756 MailboxNotEnabledForRESTAPI; RAOP text in public repositories).
import { FIRST_PARTY_APP_IDS, FULL_ACCESS_AS_APP } from '../../shared/core/clouds';
import { mailboxScope, rbacAssignments, userAgentBlocked } from '../exchange-policy';
import { header, newRequestId, scalarText, type SimRequest, type SimResponse } from '../http-kit';
import { audienceResource, checkBearer, type AccessClaims } from '../tokens';
import { stableGuid, type AppRuntime, type MailboxRuntime, type SimWorld, type TenantRuntime } from '../world';
import { folderId, inboxMessages } from './ews';

const CONTEXT = 'https://graph.microsoft.com/v1.0/$metadata';
const MAIL_READ_ROLES = ['Mail.ReadBasic', 'Mail.ReadBasic.All', 'Mail.Read', 'Mail.ReadWrite'];
const MAIL_RBAC_ROLES = [
  'Application Mail.Read',
  'Application Mail.ReadBasic',
  'Application Mail.ReadWrite',
  'Application Mail Full Access',
  'Application Exchange Full Access',
];
const CALENDAR_ROLES = ['Calendars.ReadBasic', 'Calendars.Read', 'Calendars.ReadWrite'];
const CALENDAR_RBAC_ROLES = [
  'Application Calendars.Read',
  'Application Calendars.ReadWrite',
  'Application Exchange Full Access',
];
const ORGANIZATION_ROLES = [
  'Organization.Read.All',
  'Organization.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
const USER_ROLES = [
  'User.Read.All',
  'User.ReadBasic.All',
  'User.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
const APPLICATION_ROLES = [
  'Application.Read.All',
  'Application.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
const SERVICE_MESSAGE_ROLES = ['ServiceMessage.Read.All'];
const BATCH_LIMIT = 20;
const MAILBOX_CONCURRENCY = 4;

/** App role ids as Microsoft publishes them; roles the table lacks get stable made-up ids. */
const ROLE_IDS: Record<string, string> = {
  [FULL_ACCESS_AS_APP.value]: FULL_ACCESS_AS_APP.id,
  'Exchange.ManageAsApp': 'dc50a0fb-09a3-484d-be87-e023b12c6440',
  'Mail.Read': '810c84a8-4a9e-49e6-bf7d-12d183f40d01',
  'Mail.ReadWrite': 'e2a3a72e-5f79-4c64-b1b1-878b674786c9',
  'Mail.Send': 'b633e1c5-b582-4048-a93e-9f11b44c7e96',
  'Calendars.Read': '798ee544-9d2d-430c-a058-570e29e34338',
  'User.Read.All': 'df021288-bdef-4463-88db-98f22de89214',
  'Organization.Read.All': '498476ce-e0fe-48b0-b801-37ba7e2685c6',
  'Application.Read.All': '9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30',
  'Directory.Read.All': '7ab1d382-f21e-4acd-a863-ba3e13f7da61',
  'ServiceMessage.Read.All': '1b620472-6534-4fe6-9df2-4680e8aa28ec',
  'EWS.AccessAsUser.All': '3b5f3d61-589b-4a3c-a359-5dd4b5ee5bd5',
};
const roleId = (role: string) => ROLE_IDS[role] ?? stableGuid('role', role);

interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  claims: AccessClaims;
  tenant: TenantRuntime;
  userAgent: string;
  clientRequestId: string;
}
interface Result {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  release?: () => void;
}

export function handleGraph(req: SimRequest, world: SimWorld): SimResponse {
  const clientRequestId = header(req, 'client-request-id') ?? newRequestId();
  const requestId = newRequestId();
  const check = checkBearer(world, header(req, 'authorization'));
  let result: Result;
  let tenant: TenantRuntime | undefined;
  if (!check.ok) {
    const message = {
      missing: 'Access token is empty.',
      malformed: 'IDX14100: JWT is not well formed, there are no dots (.).',
      signature: 'Access token validation failure. Invalid signature.',
      expired: 'Lifetime validation failed, the token is expired.',
      'not-yet-valid': 'Lifetime validation failed, the token is not yet valid.',
      'unknown-tenant': 'Access token validation failure. Invalid issuer.',
    }[check.reason];
    result = error(401, 'InvalidAuthenticationToken', message);
  } else if (audienceResource(check.claims.aud) !== 'graph' || !check.tenant) {
    result = error(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.');
  } else {
    tenant = check.tenant;
    let body: unknown;
    try {
      body = req.body.length > 0 ? JSON.parse(req.body.toString('utf8')) : undefined;
    } catch {
      body = undefined;
    }
    result = route(
      {
        method: req.method,
        path: req.path,
        query: req.query,
        body,
        claims: check.claims,
        tenant,
        userAgent: header(req, 'user-agent') ?? '',
        clientRequestId,
      },
      world,
    );
  }
  return toResponse(result, requestId, clientRequestId, world, tenant);
}

function toResponse(
  result: Result,
  requestId: string,
  clientRequestId: string,
  world: SimWorld,
  tenant?: TenantRuntime,
): SimResponse {
  const isError = result.status >= 400;
  const body = isError
    ? {
        error: {
          ...(result.body as object),
          innerError: {
            date: new Date(world.now()).toISOString().replace(/\.\d+Z$/, ''),
            'request-id': requestId,
            'client-request-id': clientRequestId,
          },
        },
      }
    : result.body;
  return {
    status: result.status,
    tenantId: tenant?.spec.tenantId,
    onDone: result.release,
    headers: {
      'content-type':
        'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8',
      'request-id': requestId,
      'client-request-id': clientRequestId,
      'x-ms-ags-diagnostic': JSON.stringify({
        ServerInfo: {
          DataCenter: 'West Europe',
          Slice: 'E',
          Ring: '5',
          ScaleUnit: '003',
          RoleInstance: 'AM2PEPF00000001',
        },
      }),
      'x-ms-resource-unit': '1',
      'strict-transport-security': 'max-age=31536000',
      'cache-control': 'no-cache',
      ...result.headers,
    },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

const error = (status: number, code: string, message: string, headers?: Record<string, string>): Result => ({
  status,
  body: { code, message },
  headers,
});
const ok = (body: unknown): Result => ({ status: 200, body });

function route(call: Call, world: SimWorld): Result {
  const path = call.path.replace(/\/+$/, '');
  if (call.method === 'POST' && path === '/v1.0/$batch') return batch(call, world);
  if (call.method !== 'GET')
    return error(405, 'Request_BadRequest', `Specified HTTP method is not allowed for the request target.`);
  let m: RegExpExecArray | null;
  if ((m = /^\/v1\.0\/users\/([^/]+)\/(mailFolders\/([^/]+)(\/messages)?|messages|calendar)$/i.exec(path))) {
    return mailboxCall(call, world, decodeURIComponent(m[1]!), m[2]!.toLowerCase(), m[3], Boolean(m[4]));
  }
  if ((m = /^\/v1\.0\/users\/([^/]+)$/i.exec(path))) return userRead(call, decodeURIComponent(m[1]!));
  if (path === '/v1.0/organization')
    return directory(call, ORGANIZATION_ROLES, () =>
      ok({ '@odata.context': `${CONTEXT}#organization`, value: [organization(call.tenant)] }),
    );
  if (path === '/v1.0/admin/serviceAnnouncement/messages') {
    return directory(call, SERVICE_MESSAGE_ROLES, () =>
      ok({
        '@odata.context': `${CONTEXT}#admin/serviceAnnouncement/messages`,
        value: serviceMessages(call.tenant, world),
      }),
    );
  }
  if (
    (m =
      /^\/v1\.0\/servicePrincipals(?:\/([0-9a-f-]{36})|\(appId='([^']+)'\))?(?:\/(appRoleAssignments|appRoleAssignedTo))?$/i.exec(
        path,
      ))
  ) {
    return directory(call, APPLICATION_ROLES, () =>
      servicePrincipals(call, m![1] ?? undefined, m![2] ?? undefined, m![3] ?? undefined),
    );
  }
  if ((m = /^\/v1\.0\/applications(?:\/([0-9a-f-]{36})|\(appId='([^']+)'\))?$/i.exec(path))) {
    return directory(call, APPLICATION_ROLES, () => applications(call, m![1] ?? undefined, m![2] ?? undefined));
  }
  return error(400, 'BadRequest', `Resource not found for the segment '${path.split('/').pop() ?? ''}'.`);
}

function directory(call: Call, roles: string[], read: () => Result): Result {
  if (!call.claims.roles.some((r) => roles.includes(r)))
    return error(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  return read();
}

function mailboxCall(
  call: Call,
  world: SimWorld,
  user: string,
  resource: string,
  folder: string | undefined,
  listMessages: boolean,
): Result {
  const calendar = resource === 'calendar';
  const entraRoles = calendar ? CALENDAR_ROLES : MAIL_READ_ROLES;
  const rbacRoles = calendar ? CALENDAR_RBAC_ROLES : MAIL_RBAC_ROLES;
  const { tenant, claims } = call;
  const entraGranted = claims.roles.some((r) => entraRoles.includes(r));
  if (!entraGranted && rbacAssignments(tenant.spec, claims.appid, rbacRoles).length === 0) {
    if (claims.roles.length === 0 && claims.scp === undefined) {
      return error(
        401,
        'NoPermissionsInAccessToken',
        'The token contains no permissions, or permissions can not be understood.',
      );
    }
    return error(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
  }
  const mailbox = findMailbox(tenant, user);
  if (!mailbox) return error(404, 'ErrorInvalidUser', `The requested user '${user}' is invalid.`);
  if (mailbox.spec.state !== 'active' || mailbox.spec.license === 'none') {
    return error(
      404,
      'MailboxNotEnabledForRESTAPI',
      'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
    );
  }
  if (userAgentBlocked(tenant.spec, call.userAgent))
    return error(403, 'ErrorAccessDenied', 'Access to OData is disabled.');
  const scope = mailboxScope(tenant.spec, claims.appid, mailbox.spec.address, entraGranted, rbacRoles);
  if (scope === 'access-policy-denied') {
    return error(
      403,
      'ErrorAccessDenied',
      'Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.',
    );
  }
  if (scope !== 'allowed') return error(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
  const throttle = tenant.spec.throttling.graph;
  const key = `graph|${tenant.spec.tenantId}|${claims.appid}|${mailbox.spec.address}`.toLowerCase();
  const throttled = (retryAfter: number) =>
    error(429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', {
      'retry-after': String(retryAfter),
    });
  if (throttle && !world.takeBudget(key, throttle.requestsPerMinute)) return throttled(throttle.retryAfterSeconds);
  const release = world.enter(key, MAILBOX_CONCURRENCY);
  if (!release) return throttled(1);
  const result = mailboxRead(call, world, mailbox, resource, folder, listMessages);
  return { ...result, release };
}

function mailboxRead(
  call: Call,
  world: SimWorld,
  mailbox: MailboxRuntime,
  resource: string,
  folder: string | undefined,
  listMessages: boolean,
): Result {
  const user = mailbox.spec.address;
  if (resource === 'calendar') {
    return ok({
      '@odata.context': `${CONTEXT}#users('${user}')/calendar/$entity`,
      id: folderId(mailbox, 'calendar'),
      name: 'Calendar',
      color: 'auto',
      hexColor: '',
      isDefaultCalendar: true,
      changeKey: 'AAAAAA==',
      canShare: true,
      canViewPrivateItems: true,
      canEdit: true,
      allowedOnlineMeetingProviders: ['teamsForBusiness'],
      defaultOnlineMeetingProvider: 'teamsForBusiness',
      isTallyingResponses: true,
      isRemovable: false,
      owner: { name: mailbox.spec.displayName ?? user, address: user },
    });
  }
  if (resource.startsWith('mailfolders') && folder?.toLowerCase() !== 'inbox')
    return error(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
  const messages = inboxMessages(mailbox, world);
  if (listMessages || resource === 'messages') {
    const top = Math.min(Number(call.query.get('$top') ?? 10) || 10, 1000);
    return ok({
      '@odata.context': `${CONTEXT}#users('${user}')/messages`,
      value: messages.slice(0, top).map((m, i) => ({
        '@odata.etag': 'W/"CQAAABYAAAA="',
        id: m.id,
        receivedDateTime: m.received,
        subject: m.subject,
        isRead: i > 0,
        from: { emailAddress: { name: m.from, address: m.from } },
      })),
    });
  }
  return ok({
    '@odata.context': `${CONTEXT}#users('${user}')/mailFolders/$entity`,
    id: folderId(mailbox, 'inbox'),
    displayName: 'Inbox',
    parentFolderId: folderId(mailbox, 'msgfolderroot'),
    childFolderCount: 0,
    unreadItemCount: Math.min(1, messages.length),
    totalItemCount: messages.length,
    sizeInBytes: messages.length * 2048,
    isHidden: false,
  });
}

function findMailbox(tenant: TenantRuntime, user: string): MailboxRuntime | undefined {
  const key = user.toLowerCase();
  return tenant.mailboxes.get(key) ?? [...tenant.mailboxes.values()].find((m) => m.objectId === key);
}

function userRead(call: Call, user: string): Result {
  if (!call.claims.roles.some((r) => USER_ROLES.includes(r)))
    return error(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  const mailbox = findMailbox(call.tenant, user);
  if (!mailbox)
    return error(
      404,
      'Request_ResourceNotFound',
      `Resource '${user}' does not exist or one of its queried reference-property objects are not present.`,
    );
  const address = mailbox.spec.address;
  return ok({
    '@odata.context': `${CONTEXT}#users/$entity`,
    id: mailbox.objectId,
    displayName: mailbox.spec.displayName ?? address,
    mail: address,
    userPrincipalName: address,
  });
}

function organization(tenant: TenantRuntime) {
  return {
    id: tenant.spec.tenantId,
    displayName: tenant.spec.name,
    tenantType: 'AAD',
    countryLetterCode: 'US',
    preferredLanguage: 'en',
    createdDateTime: '2019-03-04T10:11:12Z',
    verifiedDomains: [
      {
        capabilities: 'Email, OfficeCommunicationsOnline',
        isDefault: true,
        isInitial: true,
        name: tenant.spec.domain,
        type: 'Managed',
      },
    ],
  };
}

/** Message Center posts: the retirement notice every tenant got, and the tenant-specific list of apps seen using EWS. */
function serviceMessages(tenant: TenantRuntime, world: SimWorld) {
  const base = {
    category: 'planForChange',
    severity: 'normal',
    isMajorChange: true,
    services: ['Exchange Online'],
    viewPoint: null,
    details: [],
    startDateTime: '2026-02-05T20:00:00Z',
    endDateTime: '2027-04-30T07:00:00Z',
    lastModifiedDateTime: '2026-08-20T18:00:00Z',
    tags: ['Retirement', 'Admin impact'],
  };
  const posts: unknown[] = [
    {
      ...base,
      id: 'MC1227454',
      title: 'Exchange Online EWS, Your Time is Almost Up',
      actionRequiredByDateTime: '2026-10-01T00:00:00Z',
      body: {
        contentType: 'html',
        content:
          '<p>EWS in Exchange Online will be disabled by default from October 1, 2026 and turned off on April 1, 2027.</p>',
      },
    },
  ];
  if (tenant.spec.ewsUsage.length > 0) {
    const rows = tenant.spec.ewsUsage
      .map(
        (u) =>
          `<li>${u.appId} (${u.calls} calls, last activity ${new Date(world.at(u.lastActivity)).toISOString().slice(0, 10)})</li>`,
      )
      .join('');
    posts.push({
      ...base,
      id: `MC${1176000 + (parseInt(tenant.spec.tenantId.slice(0, 4), 16) % 1000)}`,
      title: 'Update active Exchange Web Services Applications',
      isMajorChange: false,
      actionRequiredByDateTime: '2026-10-01T00:00:00Z',
      body: {
        contentType: 'html',
        content: `<p>The following applications used Exchange Web Services in your organization in the last 30 days:</p><ul>${rows}</ul>`,
      },
    });
  }
  return posts;
}

function servicePrincipals(
  call: Call,
  id: string | undefined,
  appId: string | undefined,
  relation: string | undefined,
): Result {
  const tenant = call.tenant;
  const resources = [
    {
      id: stableGuid(tenant.spec.tenantId, 'sp', FIRST_PARTY_APP_IDS.exchange),
      appId: FIRST_PARTY_APP_IDS.exchange,
      displayName: 'Office 365 Exchange Online',
      kind: 'exchange' as const,
    },
    {
      id: stableGuid(tenant.spec.tenantId, 'sp', FIRST_PARTY_APP_IDS.graph),
      appId: FIRST_PARTY_APP_IDS.graph,
      displayName: 'Microsoft Graph',
      kind: 'graph' as const,
    },
  ];
  const apps = [...tenant.apps.values()].filter((a) => a.spec.registered);
  const assignments = (app: AppRuntime) =>
    app.spec.adminConsent
      ? resources.flatMap((r) =>
          app.spec.applicationPermissions[r.kind].map((role) => ({
            id: stableGuid(app.servicePrincipalId, r.appId, role),
            appRoleId: roleId(role),
            createdDateTime: '2025-06-01T00:00:00Z',
            principalDisplayName: app.spec.displayName,
            principalId: app.servicePrincipalId,
            principalType: 'ServicePrincipal',
            resourceDisplayName: r.displayName,
            resourceId: r.id,
          })),
        )
      : [];
  const all = [
    ...resources.map((r) => ({
      id: r.id,
      appId: r.appId,
      displayName: r.displayName,
      servicePrincipalType: 'Application',
      accountEnabled: true,
      appOwnerOrganizationId: 'f8cdef31-a31e-4b4a-93e4-5f571e91255a',
    })),
    ...apps.map((a) => ({
      id: a.servicePrincipalId,
      appId: a.spec.clientId,
      displayName: a.spec.displayName,
      servicePrincipalType: 'Application',
      accountEnabled: true,
      appOwnerOrganizationId: tenant.spec.tenantId,
    })),
  ];
  const filterAppId = /appId eq '([^']+)'/i.exec(call.query.get('$filter') ?? '')?.[1];
  const wanted = id ?? appId;
  if (!wanted) {
    return ok({
      '@odata.context': `${CONTEXT}#servicePrincipals`,
      value: all.filter((sp) => !filterAppId || sp.appId.toLowerCase() === filterAppId.toLowerCase()),
    });
  }
  const sp = all.find((s) => (id ? s.id === id.toLowerCase() : s.appId.toLowerCase() === wanted.toLowerCase()));
  if (!sp)
    return error(
      404,
      'Request_ResourceNotFound',
      `Resource '${wanted}' does not exist or one of its queried reference-property objects are not present.`,
    );
  if (relation === 'appRoleAssignments') {
    const app = apps.find((a) => a.servicePrincipalId === sp.id);
    return ok({
      '@odata.context': `${CONTEXT}#servicePrincipals('${sp.id}')/appRoleAssignments`,
      value: app ? assignments(app) : [],
    });
  }
  if (relation === 'appRoleAssignedTo') {
    return ok({
      '@odata.context': `${CONTEXT}#servicePrincipals('${sp.id}')/appRoleAssignedTo`,
      value: apps.flatMap(assignments).filter((a) => a.resourceId === sp.id),
    });
  }
  return ok({ '@odata.context': `${CONTEXT}#servicePrincipals/$entity`, ...sp });
}

function applications(call: Call, id: string | undefined, appId: string | undefined): Result {
  const all = [...call.tenant.apps.values()]
    .filter((a) => a.spec.registered)
    .map((app) => ({
      id: app.applicationObjectId,
      appId: app.spec.clientId,
      displayName: app.spec.displayName,
      signInAudience: 'AzureADMyOrg',
      passwordCredentials: app.secrets.map((s) => ({
        customKeyIdentifier: null,
        displayName: s.displayName,
        endDateTime: new Date(s.expiresAt).toISOString(),
        hint: s.hint,
        keyId: s.keyId,
        secretText: null,
        startDateTime: new Date(s.expiresAt - 180 * 86_400_000).toISOString(),
      })),
      keyCredentials: app.certificates
        .filter((c) => c.registered)
        .map((c) => ({
          customKeyIdentifier: c.thumbprintSha1,
          displayName: `CN=${c.subject}`,
          endDateTime: new Date(c.notAfter).toISOString(),
          key: null,
          keyId: c.keyId,
          startDateTime: new Date(c.notAfter - 365 * 86_400_000).toISOString(),
          type: 'AsymmetricX509Cert',
          usage: 'Verify',
        })),
      requiredResourceAccess: (['exchange', 'graph'] as const)
        .map((kind) => ({
          resourceAppId: FIRST_PARTY_APP_IDS[kind],
          resourceAccess: [
            ...app.spec.applicationPermissions[kind].map((r) => ({ id: roleId(r), type: 'Role' })),
            ...app.spec.delegatedPermissions[kind].map((s) => ({ id: roleId(s), type: 'Scope' })),
          ],
        }))
        .filter((r) => r.resourceAccess.length > 0),
    }));
  const filterAppId = /appId eq '([^']+)'/i.exec(call.query.get('$filter') ?? '')?.[1];
  if (!id && !appId) {
    return ok({
      '@odata.context': `${CONTEXT}#applications`,
      value: all.filter((a) => !filterAppId || a.appId.toLowerCase() === filterAppId.toLowerCase()),
    });
  }
  const app = all.find((a) => (id ? a.id === id.toLowerCase() : a.appId.toLowerCase() === appId!.toLowerCase()));
  if (!app)
    return error(
      404,
      'Request_ResourceNotFound',
      `Resource '${id ?? appId ?? ''}' does not exist or one of its queried reference-property objects are not present.`,
    );
  return ok({ '@odata.context': `${CONTEXT}#applications/$entity`, ...app });
}

function batch(call: Call, world: SimWorld): Result {
  const requests = (call.body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests)) return error(400, 'BadRequest', 'Invalid batch payload format.');
  if (requests.length > BATCH_LIMIT)
    return error(400, 'BadRequest', `Number of batch request steps exceeds the maximum of ${BATCH_LIMIT}.`);
  const releases: (() => void)[] = [];
  const responses = requests.map((raw) => {
    const step = raw as { id?: unknown; method?: unknown; url?: unknown; body?: unknown };
    // Step URLs are relative to the version: "/users/x" means /v1.0/users/x.
    const url = new URL(scalarText(step.url).replace(/^\//, ''), 'https://graph.microsoft.com/v1.0/');
    const result = route(
      {
        ...call,
        method: scalarText(step.method, 'GET').toUpperCase(),
        path: url.pathname,
        query: url.searchParams,
        body: step.body,
      },
      world,
    );
    if (result.release) releases.push(result.release);
    const body = result.status >= 400 ? { error: result.body } : result.body;
    return {
      id: scalarText(step.id),
      status: result.status,
      headers: { 'Content-Type': 'application/json', ...result.headers },
      body,
    };
  });
  return { status: 200, body: { responses }, release: () => releases.forEach((r) => r()) };
}
