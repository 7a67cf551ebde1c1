// App names: the app's own token first, then the tenant's service principal, then the table of well-known ids, whose
// rows each name where the id is published.
import { appNameOf, KNOWN_APPS, knownApp } from '../../shared/core/known-apps';

test.each([
  [{ tokenName: 'Contoso Mail Archiver', servicePrincipalName: 'Archiver (SP)' }, 'Contoso Mail Archiver'],
  [{ tokenName: '  ', servicePrincipalName: 'Archiver (SP)' }, 'Archiver (SP)'],
  [{}, 'Microsoft Graph Command Line Tools'],
])('the name of the Graph command line tools seen as %j is %s', (seen, name) => {
  expect(appNameOf('14D82EEC-204B-4C2F-B7E8-296A70DAB67E', seen)).toBe(name);
});

test('an app nobody names has no name rather than a guess', () => {
  expect(appNameOf('7d3e9f21-4a6b-4c8d-9e0f-1a2b3c4d5e6f')).toBeUndefined();
});

test('every well-known app is a lower-case GUID, listed once, with a public source', () => {
  const ids = KNOWN_APPS.map((a) => a.appId);
  expect(new Set(ids).size).toBe(ids.length);
  for (const app of KNOWN_APPS) {
    expect(app.appId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(app.source).toMatch(/^https:\/\/(learn\.microsoft\.com|github\.com)\//);
    expect(app.name.trim()).toBe(app.name);
  }
  expect(knownApp('fb78d390-0c51-40cd-8e17-fdbfab77341b')?.name).toBe('Microsoft Exchange REST API Based Powershell');
});
