//! SM2 key pairs and the master key that keeps them at rest: each agency's secret key is stored
//! only as SM4-GCM ciphertext under the deployment's master key (from the configuration or
//! `TONGBAN_MASTER_KEY`), bound to the key's own identifier so a blob cannot be moved to another.

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::AesGcm;
use sm2::dsa::SigningKey;

use crate::Error;

/// SM4-GCM, the AEAD of RFC 8998.
type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

/// The signer identity of GM/T 0009 (the default user ID every SM2 implementation uses).
pub const DIST_ID: &str = "1234567812345678";

pub fn dist_id() -> Result<&'static str, Error> {
    Ok(DIST_ID)
}

/// The master key: 16 bytes (an SM4 key), given as 32 hex digits.
#[derive(Clone)]
pub struct MasterKey([u8; 16]);

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(…)")
    }
}

impl MasterKey {
    pub fn parse(hex_text: &str) -> Result<MasterKey, Error> {
        let bytes = hex::decode(hex_text.trim())
            .map_err(|_| Error::Key("the master key must be 32 hex digits".into()))?;
        let arr: [u8; 16] = bytes
            .try_into()
            .map_err(|_| Error::Key("the master key must be 32 hex digits (16 bytes)".into()))?;
        Ok(MasterKey(arr))
    }

    /// A fresh random master key, as 32 hex digits.
    pub fn generate_hex() -> Result<String, Error> {
        Ok(hex::encode(random::<16>()?))
    }

    /// Encrypts `secret` bound to `label` (the key's identifier): nonce ‖ ciphertext ‖ tag.
    pub fn seal(&self, secret: &[u8], label: &str) -> Result<Vec<u8>, Error> {
        let cipher =
            Sm4Gcm::new_from_slice(&self.0).map_err(|_| Error::Key("master key".into()))?;
        let nonce = random::<12>()?;
        let ct = cipher
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: secret,
                    aad: label.as_bytes(),
                },
            )
            .map_err(|_| Error::Key("encryption failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(out)
    }

    /// Decrypts what [`MasterKey::seal`] made for the same `label`; a wrong master key, label or
    /// a changed byte fails.
    pub fn open(&self, blob: &[u8], label: &str) -> Result<Vec<u8>, Error> {
        if blob.len() < 12 + 16 {
            return Err(Error::Key("sealed key too short".into()));
        }
        let cipher =
            Sm4Gcm::new_from_slice(&self.0).map_err(|_| Error::Key("master key".into()))?;
        let nonce: [u8; 12] = blob[..12]
            .try_into()
            .map_err(|_| Error::Key("nonce".into()))?;
        cipher
            .decrypt(
                &nonce.into(),
                Payload {
                    msg: &blob[12..],
                    aad: label.as_bytes(),
                },
            )
            .map_err(|_| Error::Key("the key cannot be opened with this master key".into()))
    }
}

fn random<const N: usize>() -> Result<[u8; N], Error> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| Error::Key(format!("random: {e}")))?;
    Ok(b)
}

/// A new SM2 signing key.
pub fn generate() -> Result<SigningKey, Error> {
    let id = dist_id()?;
    // A random 32-byte string is a valid scalar all but with negligible probability.
    for _ in 0..8 {
        if let Ok(k) = SigningKey::from_slice(id, &random::<32>()?) {
            return Ok(k);
        }
    }
    Err(Error::Key("could not generate a key".into()))
}

/// The signing key from its 32 secret bytes.
pub fn from_secret(secret: &[u8]) -> Result<SigningKey, Error> {
    SigningKey::from_slice(dist_id()?, secret).map_err(|e| Error::Key(format!("{e:?}")))
}

/// The public key as uncompressed SEC1 hex (04 ‖ x ‖ y).
pub fn public_hex(key: &SigningKey) -> String {
    hex::encode(key.verifying_key().to_sec1_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_key_opens_only_with_its_master_key_and_label() {
        let m = MasterKey::parse(&MasterKey::generate_hex().unwrap_or_default());
        let m = m.unwrap_or_else(|_| panic!("master key"));
        let blob = m.seal(b"secret bytes", "key:1").unwrap_or_default();
        assert_eq!(m.open(&blob, "key:1").ok(), Some(b"secret bytes".to_vec()));
        assert!(m.open(&blob, "key:2").is_err());
        let other =
            MasterKey::parse("00112233445566778899aabbccddeeff").unwrap_or_else(|_| panic!());
        assert!(other.open(&blob, "key:1").is_err());
        let mut changed = blob.clone();
        changed[20] ^= 1;
        assert!(m.open(&changed, "key:1").is_err());
        assert!(MasterKey::parse("abc").is_err());
    }

    #[test]
    fn keys_round_trip_through_their_secret() {
        let k = generate().unwrap_or_else(|_| panic!("key"));
        let again = from_secret(&k.to_bytes()).unwrap_or_else(|_| panic!("key"));
        assert_eq!(public_hex(&k), public_hex(&again));
        assert_eq!(public_hex(&k).len(), 130);
    }
}
