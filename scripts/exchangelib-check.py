#!/usr/bin/python3
"""Points exchangelib (Debian's python3-exchangelib) at the simulated cloud: for each simulated tenant whose app uses a
client secret, exchangelib fetches its own app-only token and reads account.inbox.total_count with impersonation.

Prints one JSON object per tenant on standard output: {"tenant", "expectedCause", "ok", "total_count"} on success or
{"tenant", "expectedCause", "ok": false, "exception", "message"} with the exception exchangelib raised.

Usage: /usr/bin/python3 scripts/exchangelib-check.py --sim http://127.0.0.1:PORT [--tenant NAME ...] [--canary N]
Exit codes: 0 when every tenant was tried, 2 on bad arguments, 3 when exchangelib is not installed.
"""
import argparse
import json
import logging
import os
import sys
import urllib.request

try:
    import exchangelib  # noqa: F401 - only to tell "not installed" apart from any other import problem
except ModuleNotFoundError:
    sys.stderr.write(
        "exchangelib is not installed for this interpreter ({}).\n"
        "Install Debian's package with `apt-get install python3-exchangelib` and run this script with /usr/bin/python3\n"
        "(a pyenv or virtualenv python3 earlier on PATH cannot see Debian's packages).\n".format(sys.executable)
    )
    sys.exit(3)

from exchangelib import BASIC, DELEGATE, IMPERSONATION, OAUTH2, Account, Build, Configuration, Credentials, FailFast, Identity, OAuth2Credentials, Version  # noqa: E402


def simulated_credentials(sim, tenant, mailbox):
    """OAuth2Credentials whose token URL and scope point where this tenant's app points them."""
    ews_scope = tenant["client"].get("ewsScope")

    class SimulatedOAuth2Credentials(OAuth2Credentials):
        @property
        def token_url(self):
            return "{}/login/{}/oauth2/v2.0/token".format(sim, self.tenant_id)

        @property
        def scope(self):
            return [ews_scope] if ews_scope else super().scope

    # With an identity exchangelib always sends ExchangeImpersonation; an app that does not impersonate has none.
    identity = Identity(primary_smtp_address=mailbox) if tenant["client"].get("impersonation", True) else None
    return SimulatedOAuth2Credentials(client_id=tenant["clientId"], client_secret=tenant["clientSecret"], tenant_id=tenant["tenantId"], identity=identity)


def check(sim, tenant, canary):
    mailbox = tenant["mailboxes"][min(canary, len(tenant["mailboxes"]) - 1)]
    client = tenant["client"]
    if client.get("auth") == "basic":
        credentials, auth_type = Credentials(username=mailbox, password="legacy-password"), BASIC
    else:
        credentials, auth_type = simulated_credentials(sim, tenant, mailbox), OAUTH2
    config = Configuration(
        service_endpoint="{}/EWS/Exchange.asmx".format(sim), credentials=credentials, auth_type=auth_type,
        version=Version(build=Build(15, 20)), retry_policy=FailFast(),
    )
    access_type = IMPERSONATION if client.get("impersonation", True) else DELEGATE
    account = Account(primary_smtp_address=mailbox, config=config, autodiscover=False, access_type=access_type)
    return account.inbox.total_count


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sim", required=True, help="base URL of the simulated cloud, from the ready line of `tenant-health sim`")
    parser.add_argument("--tenant", action="append", help="check only this tenant (by name); repeatable")
    parser.add_argument("--canary", type=int, default=0, help="which canary mailbox of each tenant to open (default 0)")
    args = parser.parse_args()
    sim = args.sim.rstrip("/")
    if not sim.startswith("http://127.0.0.1:") and not sim.startswith("http://localhost:"):
        parser.error("--sim must be the simulated cloud on loopback, e.g. http://127.0.0.1:41059")
    # exchangelib logs failed requests with their Authorization header; no token belongs on the terminal.
    logging.getLogger("exchangelib").setLevel(logging.CRITICAL + 1)
    # The simulated cloud speaks plain HTTP on loopback; oauthlib refuses that unless told otherwise.
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    with urllib.request.urlopen("{}/_sim/scenarios".format(sim)) as response:
        tenants = json.load(response)
    wanted = set(args.tenant or [])
    for tenant in tenants:
        if wanted and tenant["name"] not in wanted:
            continue
        result = {"tenant": tenant["name"], "expectedCause": tenant["expectedCause"]}
        if tenant["credential"] != "secret":
            result.update(ok=None, skipped="the app authenticates with a certificate; this check uses client secrets only")
        else:
            try:
                result.update(ok=True, total_count=check(sim, tenant, args.canary))
            except Exception as error:  # noqa: BLE001 - the exception exchangelib raises is the result being reported
                result.update(ok=False, exception="{}.{}".format(type(error).__module__, type(error).__name__), message=str(error)[:1000])
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
