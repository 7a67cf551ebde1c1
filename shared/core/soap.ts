// How EWS SOAP is read, the same way by the probe and by the simulated Exchange: namespaces dropped, attributes as @name, text kept as text.
export const SOAP_PARSE_OPTIONS = {
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  ignoreDeclaration: true,
} as const;
