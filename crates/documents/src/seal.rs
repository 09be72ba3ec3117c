//! The pluggable seal service. An agency's documents are signed by whatever implements
//! [`SealService`]: by default [`LocalSeal`], the agency's SM2 key kept encrypted in the store
//! and opened in memory; an agency with its own signing hardware (a 签章服务器 or an HSM)
//! plugs in an implementation that sends the bytes to it and returns its SM2 signature.

use sm2::dsa::SigningKey;
use x509_cert::Certificate;

use crate::Error;

pub trait SealService: Send + Sync {
    /// The certificate chain: the signer's certificate first, then the root.
    fn chain(&self) -> Vec<Certificate>;
    /// An SM2 signature (DER) over `message`, with SM3 and the signer's Z value (GM/T 0009).
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error>;
}

/// A seal whose key lives in this process (decrypted from the store when needed).
pub struct LocalSeal {
    key: SigningKey,
    chain: Vec<Certificate>,
}

impl LocalSeal {
    pub fn new(key: SigningKey, chain: Vec<Certificate>) -> LocalSeal {
        LocalSeal { key, chain }
    }
}

impl SealService for LocalSeal {
    fn chain(&self) -> Vec<Certificate> {
        self.chain.clone()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Error> {
        let sig: sm2::dsa::Signature = sm2::dsa::signature::Signer::try_sign(&self.key, message)
            .map_err(|e| Error::Signature(e.to_string()))?;
        Ok(sig.to_der().as_bytes().to_vec())
    }
}
