"""Verify a VAPID Authorization header ("vapid t=<jwt>, k=<key>") with the public key (ES256)."""
import base64
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def _decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verify_vapid(header, public_key_b64):
    scheme, _, rest = header.partition(" ")
    assert scheme.lower() == "vapid", header
    params = dict(item.strip().split("=", 1) for item in rest.split(","))
    assert params["k"] == public_key_b64
    head, body, signature = params["t"].split(".")
    raw = _decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _decode(public_key_b64))
    key.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    assert json.loads(_decode(head))["alg"] == "ES256"
    return json.loads(_decode(body))
