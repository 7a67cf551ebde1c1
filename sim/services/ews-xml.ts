// SOAP 1.1 envelopes in Exchange Online's shapes: ServerVersionInfo header, response messages and faults.
// Shapes: learn.microsoft.com/exchange/client-developer/web-service-reference (GetFolder, FindItem, ResolveNames,
// ConvertId, ServerVersionInfo) and publicly posted Exchange Online traces (e.g. OfficeDev/ews-managed-api#219,
// mguessan/davmail#161 for the ErrorServerBusy fault with BackOffMilliseconds).

const NS_SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
const NS_TYPES = 'http://schemas.microsoft.com/exchange/services/2006/types';
const NS_MESSAGES = 'http://schemas.microsoft.com/exchange/services/2006/messages';
const NS_ERRORS = 'http://schemas.microsoft.com/exchange/services/2006/errors';

export const escapeXml = (value: string): string =>
  value.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

const SERVER_VERSION =
  `<h:ServerVersionInfo MajorVersion="15" MinorVersion="20" MajorBuildNumber="9412" MinorBuildNumber="25" Version="V2018_01_08" ` +
  `xmlns:h="${NS_TYPES}" xmlns="${NS_TYPES}" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>`;

export function envelope(body: string): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${NS_SOAP}"><s:Header>${SERVER_VERSION}</s:Header>` +
    `<s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">${body}</s:Body></s:Envelope>`
  );
}

/** A SOAP fault as Exchange sends it with HTTP 500; extra detail goes inside t:MessageXml. */
export function fault(code: string, message: string, messageXml = ''): string {
  const detailXml = messageXml ? `<t:MessageXml xmlns:t="${NS_TYPES}">${messageXml}</t:MessageXml>` : '';
  return (
    `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${NS_SOAP}"><s:Body><s:Fault>` +
    `<faultcode xmlns:a="${NS_TYPES}">a:${code}</faultcode><faultstring xml:lang="en-US">${escapeXml(message)}</faultstring>` +
    `<detail><e:ResponseCode xmlns:e="${NS_ERRORS}">${code}</e:ResponseCode><e:Message xmlns:e="${NS_ERRORS}">${escapeXml(message)}</e:Message>${detailXml}</detail>` +
    `</s:Fault></s:Body></s:Envelope>`
  );
}

/** One response message: Success with its content, or Error with MessageText and ResponseCode. */
export type MessageResult =
  { ok: true; content: string } | { ok: false; code: string; text: string; emptyElement?: string };

export function responseMessages(operation: string, results: MessageResult[]): string {
  const messages = results.map((r) =>
    r.ok
      ? `<m:${operation}ResponseMessage ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode>${r.content}</m:${operation}ResponseMessage>`
      : `<m:${operation}ResponseMessage ResponseClass="Error"><m:MessageText>${escapeXml(r.text)}</m:MessageText>` +
        `<m:ResponseCode>${r.code}</m:ResponseCode><m:DescriptiveLinkKey>0</m:DescriptiveLinkKey>${r.emptyElement ?? ''}</m:${operation}ResponseMessage>`,
  );
  return `<m:${operation}Response xmlns:m="${NS_MESSAGES}" xmlns:t="${NS_TYPES}"><m:ResponseMessages>${messages.join('')}</m:ResponseMessages></m:${operation}Response>`;
}

export interface FolderView {
  id: string;
  parentId: string;
  folderClass: string;
  displayName: string;
  total: number;
  unread: number;
  element: 'Folder' | 'CalendarFolder' | 'ContactsFolder';
}

export function folderXml(f: FolderView): string {
  const counts =
    f.element === 'Folder'
      ? `<t:TotalCount>${f.total}</t:TotalCount><t:ChildFolderCount>0</t:ChildFolderCount><t:UnreadCount>${f.unread}</t:UnreadCount>`
      : `<t:TotalCount>${f.total}</t:TotalCount><t:ChildFolderCount>0</t:ChildFolderCount>`;
  return (
    `<t:${f.element}><t:FolderId Id="${f.id}" ChangeKey="AQAAABYAAAA="/><t:ParentFolderId Id="${f.parentId}" ChangeKey="AQAAAA=="/>` +
    `<t:FolderClass>${f.folderClass}</t:FolderClass><t:DisplayName>${escapeXml(f.displayName)}</t:DisplayName>${counts}` +
    `<t:EffectiveRights><t:CreateAssociated>true</t:CreateAssociated><t:CreateContents>true</t:CreateContents><t:CreateHierarchy>true</t:CreateHierarchy>` +
    `<t:Delete>true</t:Delete><t:Modify>true</t:Modify><t:Read>true</t:Read><t:ViewPrivateItems>true</t:ViewPrivateItems></t:EffectiveRights></t:${f.element}>`
  );
}

export interface MessageView {
  id: string;
  subject: string;
  received: string;
  from: string;
}

export function findItemRoot(items: MessageView[]): string {
  const xml = items
    .map(
      (m) =>
        `<t:Message><t:ItemId Id="${m.id}" ChangeKey="CQAAABYAAAA="/><t:Subject>${escapeXml(m.subject)}</t:Subject>` +
        `<t:DateTimeReceived>${m.received}</t:DateTimeReceived><t:From><t:Mailbox><t:EmailAddress>${escapeXml(m.from)}</t:EmailAddress></t:Mailbox></t:From></t:Message>`,
    )
    .join('');
  return `<m:RootFolder IndexingOffset="${items.length}" TotalItemsInView="${items.length}" IncludesLastItemInRange="true"><t:Items>${xml}</t:Items></m:RootFolder>`;
}

export function resolutionSet(mailboxes: { name: string; address: string }[]): string {
  const xml = mailboxes
    .map(
      (m) =>
        `<t:Resolution><t:Mailbox><t:Name>${escapeXml(m.name)}</t:Name><t:EmailAddress>${escapeXml(m.address)}</t:EmailAddress>` +
        `<t:RoutingType>SMTP</t:RoutingType><t:MailboxType>Mailbox</t:MailboxType></t:Mailbox></t:Resolution>`,
    )
    .join('');
  return `<m:ResolutionSet TotalItemsInView="${mailboxes.length}" IncludesLastItemInRange="true">${xml}</m:ResolutionSet>`;
}

export const alternateId = (format: string, id: string, mailbox: string): string =>
  `<m:AlternateId xsi:type="t:AlternateIdType" Format="${escapeXml(format)}" Id="${escapeXml(id)}" Mailbox="${escapeXml(mailbox)}"/>`;
