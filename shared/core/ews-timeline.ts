// The dates of the EWS retirement in Exchange Online (learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/deprecation-of-ews-exchange-online).
/** Tenants still at EwsEnabled=Null are switched to False; True with an empty allow list blocks; Kiosk/F1/F3 lose EWS. */
export const EWS_ENFORCEMENT_START = Date.parse('2026-10-01T00:00:00Z');
/** EWS in Exchange Online is switched off for good. */
export const EWS_SHUTDOWN = Date.parse('2027-04-01T00:00:00Z');

/** Whole days from an instant to the shutdown (negative after it). */
export const daysToShutdown = (now: number): number => Math.ceil((EWS_SHUTDOWN - now) / 86_400_000);

/**
 * Basic authentication for EWS in Exchange Online: switched off from 1 October 2022, and for the last tenants that had
 * it re-enabled in the first week of January 2023 (learn.microsoft.com/exchange/clients-and-mobile-in-exchange-online/deprecation-of-basic-authentication-exchange-online).
 */
export const BASIC_AUTH_OFF = Date.parse('2023-01-09T00:00:00Z');
