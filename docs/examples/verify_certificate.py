#!/usr/bin/env python3
"""verify_certificate.py — check a beian certificate or receipt without beian: the signature, the
checkpoint it carries and the inclusion of its audit entry (docs/trust.md). Needs only Python's
standard library and `cryptography` (Debian: python3-cryptography) for Ed25519.

usage: verify_certificate.py KEYS.json CERTIFICATE.json   → exit 0 valid, 1 invalid (reason printed)
"""
import base64, hashlib, json, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def verify_note(note, origin, keys):
    body, _, sigs = note.partition("\n\n")
    body = (body + "\n").encode()
    for k in keys:
        if k["owner"] != "platform":
            continue
        pk = base64.b64decode(k["public_key"])
        key_hash = hashlib.sha256(origin.encode() + b"\n\x01" + pk).digest()[:4]
        for line in sigs.splitlines():
            if line.startswith("\u2014 " + origin + " "):
                blob = base64.b64decode(line.split(" ")[-1])
                if blob[:4] == key_hash:
                    Ed25519PublicKey.from_public_bytes(pk).verify(blob[4:], body)   # raises when invalid
                    return body.decode().split("\n")
    raise ValueError("the checkpoint carries no signature by a published platform key")


def verify_inclusion(leaf, index, size, proof, root):
    """RFC 9162 2.1.3.2"""
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = hashlib.sha256(b"\x01" + p + r).digest()
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = hashlib.sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def main(keys_path, env_path):
    keys = json.load(open(keys_path, encoding="utf-8"))
    env = json.load(open(env_path, encoding="utf-8"))
    st, sig = env["statement"], env["signature"]
    key = next((k for k in keys["keys"] if k["key_id"] == sig["key_id"] == st["key_id"]), None)
    if key is None:
        raise ValueError("the key is not published")
    Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"])).verify(
        base64.b64decode(sig["value"]), canonical(st))
    audit = st["audit"]
    origin, size, root = verify_note(audit["checkpoint"], keys["log"]["origin"], keys["keys"])[:3]
    if origin != keys["log"]["origin"]:
        raise ValueError("the checkpoint is of another log")
    leaf = hashlib.sha256(b"\x00" + bytes.fromhex(audit["entry_hash"])).digest()
    proof = [base64.b64decode(h) for h in audit["inclusion_proof"]]
    if not verify_inclusion(leaf, audit["index"], int(size), proof, base64.b64decode(root)):
        raise ValueError("the audit entry is not in the checkpoint's log")
    print(f"valid: {st['type']} signed by {st['signer'].get('name', 'the platform')}, "
          f"audit entry {audit['index']} of {size}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        main(sys.argv[1], sys.argv[2])
    except Exception as e:   # InvalidSignature has no message
        print(f"invalid: {type(e).__name__} {e}", file=sys.stderr)
        sys.exit(1)
