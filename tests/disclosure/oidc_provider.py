"""A small OpenID Connect provider for the tests: discovery, JWKS, authorize and token
endpoints, an RSA key generated per provider, PKCE (S256) checked, and ways to misbehave
(another issuer or audience, the wrong nonce, an expired token, a token signed with a key it
does not publish) so that the platform's refusals can be tested."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from fastapi import FastAPI, Form, Header, Query
from fastapi.responses import JSONResponse, RedirectResponse
from joserfc import jwt
from joserfc.jwk import RSAKey

ISSUER = "https://idp.test"
CLIENT_ID = "xinyong"
CLIENT_SECRET = "provider-secret-for-tests"


@dataclass
class Provider:
    identity: str  # the id_number claim the next login carries
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"}))
    other_key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}))
    codes: dict[str, dict] = field(default_factory=dict)
    # misbehaviour for the next token: "issuer", "audience", "nonce", "expired", "key", "alg_none"
    fault: str | None = None
    now: float | None = None  # the provider's clock (seconds); None: the wall clock

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return {"issuer": ISSUER, "authorization_endpoint": f"{ISSUER}/authorize",
                    "token_endpoint": f"{ISSUER}/token", "jwks_uri": f"{ISSUER}/jwks",
                    "response_types_supported": ["code"], "id_token_signing_alg_values_supported": ["RS256"],
                    "code_challenge_methods_supported": ["S256"]}

        @app.get("/jwks")
        def jwks():
            return {"keys": [self.key.as_dict(private=False)]}

        @app.get("/authorize")
        def authorize(response_type: str = Query(), client_id: str = Query(), redirect_uri: str = Query(),
                      state: str = Query(), nonce: str = Query(), code_challenge: str = Query(),
                      code_challenge_method: str = Query(), scope: str = Query()):
            assert response_type == "code" and client_id == CLIENT_ID and "openid" in scope.split()
            assert code_challenge_method == "S256"
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"nonce": nonce, "challenge": code_challenge, "redirect_uri": redirect_uri}
            return RedirectResponse(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}", status_code=302)

        @app.post("/token")
        def token(grant_type: str = Form(), code: str = Form(), redirect_uri: str = Form(),
                  code_verifier: str = Form(), authorization: str = Header("")):
            expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if authorization != expected:
                return JSONResponse({"error": "invalid_client"}, status_code=401)
            issued = self.codes.pop(code, None)
            if grant_type != "authorization_code" or issued is None or issued["redirect_uri"] != redirect_uri:
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            challenge = base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode()).digest()).rstrip(b"=").decode()
            if challenge != issued["challenge"]:
                return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
            return {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300,
                    "id_token": self.id_token(issued["nonce"])}

        return app

    def id_token(self, nonce: str) -> str:
        now = int(self.now if self.now is not None else time.time())
        claims = {"iss": ISSUER, "sub": "zj-0001", "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "nonce": nonce, "id_number": self.identity, "name": "测试"}
        fault = self.fault
        if fault == "issuer":
            claims["iss"] = "https://evil.test"
        elif fault == "audience":
            claims["aud"] = "another-client"
        elif fault == "nonce":
            claims["nonce"] = "not-the-nonce"
        elif fault == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 600
        elif fault == "no_identity":
            del claims["id_number"]
        key = self.other_key if fault == "key" else self.key
        if fault == "alg_none":
            head = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
            import json

            body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            return f"{head}.{body}."
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
