"""cryptography: hashes, HMAC, HKDF, AES-GCM, Fernet (round trip), Ed25519 and X25519
from fixed seeds, an X.509 self-signed certificate with fixed validity, PEM files.
Everything printed is deterministic: fixed keys and nonces, no key generation."""

import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, hmac, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import NameOID

digest = hashes.Hash(hashes.SHA256())
digest.update(b"popular stacks")
print("sha256:", digest.finalize().hex())
mac = hmac.HMAC(b"k" * 32, hashes.SHA256())
mac.update(b"message")
print("hmac:", mac.finalize().hex()[:32])
key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"salt", info=b"info").derive(b"input key")
print("hkdf:", key.hex())
aes = AESGCM(key)
ct = aes.encrypt(b"\x00" * 12, b"secret text", b"aad")
print("aes-gcm:", ct.hex(), aes.decrypt(b"\x00" * 12, ct, b"aad"))
try:
    aes.decrypt(b"\x00" * 12, ct[:-1] + b"\x00", b"aad")
except InvalidTag:
    print("InvalidTag")
f = Fernet(Fernet.generate_key())
print("fernet:", f.decrypt(f.encrypt(b"round trip")))
signer = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
sig = signer.sign(b"data")
print("ed25519:", sig.hex()[:32])
try:
    signer.public_key().verify(sig, b"other")
except InvalidSignature:
    print("InvalidSignature")
a = x25519.X25519PrivateKey.from_private_bytes(b"\x01" * 32)
b = x25519.X25519PrivateKey.from_private_bytes(b"\x02" * 32)
print("x25519 agree:", a.exchange(b.public_key()) == b.exchange(a.public_key()))
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "stacks.test")])
cert = (
    x509.CertificateBuilder()
    .subject_name(name)
    .issuer_name(name)
    .public_key(signer.public_key())
    .serial_number(1000)
    .not_valid_before(datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc))
    .not_valid_after(datetime.datetime(2034, 1, 1, tzinfo=datetime.timezone.utc))
    .add_extension(x509.SubjectAlternativeName([x509.DNSName("stacks.test")]), critical=False)
    .sign(signer, None)
)
with open("cert.pem", "wb") as fh:
    fh.write(cert.public_bytes(serialization.Encoding.PEM))
with open("key.pem", "wb") as fh:
    fh.write(signer.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
loaded = x509.load_pem_x509_certificate(open("cert.pem", "rb").read())
print(loaded.subject.rfc4514_string(), loaded.serial_number, loaded.fingerprint(hashes.SHA256()).hex()[:16])
print(loaded.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName))
