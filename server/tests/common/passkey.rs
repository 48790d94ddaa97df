//! A software authenticator for the passkey tests: what a phone or security key does in a
//! WebAuthn ceremony, written out (ES256 key, "none" attestation, user verified), so the
//! server's checks meet real signatures and real CBOR. The browser's own authenticator is
//! exercised by the end-to-end tests.
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// One passkey held by the authenticator.
pub struct SoftPasskey {
    pub credential_id: Vec<u8>,
    key: SigningKey,
    /// The user handle the site gave when it was made.
    pub user_handle: Vec<u8>,
    pub rp_id: String,
    pub counter: u32,
    /// Whether the device checks its owner (PIN, biometrics) before it answers.
    pub user_verified: bool,
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).unwrap();
    bytes
}

/// A tiny CBOR writer: enough for an attestation object and a COSE key.
enum Cbor<'a> {
    Int(i64),
    Bytes(&'a [u8]),
    Text(&'a str),
    Map(Vec<(Cbor<'a>, Cbor<'a>)>),
}

impl Cbor<'_> {
    fn head(out: &mut Vec<u8>, major: u8, n: u64) {
        let m = major << 5;
        match n {
            0..=23 => out.push(m | n as u8),
            24..=0xff => out.extend([m | 24, n as u8]),
            0x100..=0xffff => {
                out.push(m | 25);
                out.extend((n as u16).to_be_bytes());
            }
            _ => {
                out.push(m | 26);
                out.extend((n as u32).to_be_bytes());
            }
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Cbor::Int(i) if *i >= 0 => Self::head(out, 0, *i as u64),
            Cbor::Int(i) => Self::head(out, 1, (-1 - *i) as u64),
            Cbor::Bytes(b) => {
                Self::head(out, 2, b.len() as u64);
                out.extend_from_slice(b);
            }
            Cbor::Text(t) => {
                Self::head(out, 3, t.len() as u64);
                out.extend_from_slice(t.as_bytes());
            }
            Cbor::Map(entries) => {
                Self::head(out, 5, entries.len() as u64);
                for (k, v) in entries {
                    k.write(out);
                    v.write(out);
                }
            }
        }
    }
}

fn cbor(value: Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    value.write(&mut out);
    out
}

fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
    json!({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false})
        .to_string()
        .into_bytes()
}

/// User present.
const UP: u8 = 0x01;
/// User present and verified.
const UP_UV: u8 = UP | 0x04;
/// Attested credential data follows.
const AT: u8 = 0x40;

impl SoftPasskey {
    /// Answers `options` (the server's `{"publicKey": …}` for `navigator.credentials.create`)
    /// as a browser at `origin` would: the new passkey, and the credential JSON to send.
    pub fn create(options: &Value, origin: &str) -> (SoftPasskey, Value) {
        Self::create_with_id(options, origin, &random::<16>())
    }

    /// The same from a device that only checks someone is there (no PIN or biometrics).
    pub fn create_presence_only(options: &Value, origin: &str) -> (SoftPasskey, Value) {
        Self::make(options, origin, &random::<16>(), false)
    }

    /// The same with a credential ID chosen by the test (one another account holds).
    pub fn create_with_id(
        options: &Value,
        origin: &str,
        credential_id: &[u8],
    ) -> (SoftPasskey, Value) {
        Self::make(options, origin, credential_id, true)
    }

    fn make(
        options: &Value,
        origin: &str,
        credential_id: &[u8],
        user_verified: bool,
    ) -> (SoftPasskey, Value) {
        let public_key = &options["publicKey"];
        let rp_id = public_key["rp"]["id"].as_str().unwrap().to_string();
        let user_handle = B64
            .decode(public_key["user"]["id"].as_str().unwrap())
            .unwrap();
        let challenge = public_key["challenge"].as_str().unwrap();
        let key = SigningKey::from_slice(&random::<32>()).unwrap();
        let credential_id = credential_id.to_vec();
        let point = key.verifying_key().to_sec1_point(false);
        let point = point.as_bytes();
        let cose = cbor(Cbor::Map(vec![
            (Cbor::Int(1), Cbor::Int(2)),
            (Cbor::Int(3), Cbor::Int(-7)),
            (Cbor::Int(-1), Cbor::Int(1)),
            (Cbor::Int(-2), Cbor::Bytes(&point[1..33])),
            (Cbor::Int(-3), Cbor::Bytes(&point[33..65])),
        ]));
        let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth_data.push(if user_verified { UP_UV | AT } else { UP | AT });
        auth_data.extend(0u32.to_be_bytes());
        auth_data.extend([0u8; 16]);
        auth_data.extend((credential_id.len() as u16).to_be_bytes());
        auth_data.extend(&credential_id);
        auth_data.extend(cose);
        let attestation = cbor(Cbor::Map(vec![
            (Cbor::Text("fmt"), Cbor::Text("none")),
            (Cbor::Text("attStmt"), Cbor::Map(vec![])),
            (Cbor::Text("authData"), Cbor::Bytes(&auth_data)),
        ]));
        let id = B64.encode(&credential_id);
        let credential = json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "response": {
                "clientDataJSON": B64.encode(client_data("webauthn.create", challenge, origin)),
                "attestationObject": B64.encode(attestation),
            },
        });
        let passkey = SoftPasskey {
            credential_id,
            key,
            user_handle,
            rp_id,
            counter: 0,
            user_verified,
        };
        (passkey, credential)
    }

    /// Answers `options` (for `navigator.credentials.get`) as a browser at `origin` would.
    pub fn get(&mut self, options: &Value, origin: &str) -> Value {
        let challenge = options["publicKey"]["challenge"].as_str().unwrap();
        self.counter += 1;
        let mut auth_data = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        auth_data.push(if self.user_verified { UP_UV } else { UP });
        auth_data.extend(self.counter.to_be_bytes());
        let client_data = client_data("webauthn.get", challenge, origin);
        let mut signed = auth_data.clone();
        signed.extend(Sha256::digest(&client_data));
        let signature: Signature = self.key.sign(&signed);
        let id = B64.encode(&self.credential_id);
        json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "response": {
                "clientDataJSON": B64.encode(client_data),
                "authenticatorData": B64.encode(auth_data),
                "signature": B64.encode(signature.to_der().as_bytes()),
                "userHandle": B64.encode(&self.user_handle),
            },
        })
    }
}
