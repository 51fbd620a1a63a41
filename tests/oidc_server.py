"""A real OpenID Connect provider for the single sign-on tests: node's oidc-provider (tests/oidc_provider/).

`oidc_provider(redirect_uri, accounts)` writes the accounts (name -> claims)
to a file the provider reads at every look-up, starts it on a free port, waits
for its discovery document, and stops it at the end; `Provider.set_accounts()`
changes a user's claims between sign-ins, as an administrator of the identity
provider would. The provider's login form (devInteractions) takes any account
name; the password is not checked there: the tests are about DualSpace's side.
"""

import contextlib
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.services import free_port

FOLDER = Path(__file__).resolve().parent / "oidc_provider"
CLIENT_ID = "dualspace"
CLIENT_SECRET = "dualspace-test-client-secret-0123456789"


@dataclass
class Provider:
    issuer: str
    accounts_file: Path

    def set_accounts(self, accounts: dict[str, dict]) -> None:
        self.accounts_file.write_text(json.dumps(accounts), encoding="utf-8")

    def settings(self) -> dict[str, object]:
        """What a deployment sets (OIDC_* variables) for this provider."""
        return {
            "OIDC_ENABLED": True,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/auth",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/me",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/jwks",
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_RP_SCOPES": "openid email profile groups",
            "OIDC_USE_PKCE": True,
            "OIDC_TIMEOUT": 10,
            "LOGIN_REDIRECT_URL_FAILURE": "/accounts/login/?sso=failed",
        }


def provider_available() -> bool:
    return shutil.which("node") is not None and (FOLDER / "node_modules" / "oidc-provider").exists()


@contextlib.contextmanager
def oidc_provider(redirect_uri: str, accounts: dict[str, dict]) -> Iterator[Provider]:
    folder = Path(tempfile.mkdtemp(prefix="dualspace-oidc-"))
    port = free_port()
    provider = Provider(issuer=f"http://127.0.0.1:{port}", accounts_file=folder / "accounts.json")
    provider.set_accounts(accounts)
    log = (folder / "provider.log").open("wb")
    process = subprocess.Popen(
        ["node", str(FOLDER / "provider.mjs")],
        cwd=FOLDER,
        env={
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "OIDC_TEST_PORT": str(port),
            "OIDC_TEST_CLIENT_ID": CLIENT_ID,
            "OIDC_TEST_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_TEST_REDIRECT_URI": redirect_uri,
            "OIDC_TEST_ACCOUNTS": str(provider.accounts_file),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{provider.issuer}/.well-known/openid-configuration", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "oidc-provider did not start:\n" + (folder / "provider.log").read_text(errors="replace")[-2000:]
                    ) from None
                time.sleep(0.2)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)
