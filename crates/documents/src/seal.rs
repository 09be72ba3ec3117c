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
    /// The electronic seal (GB/T 38540 `SESeal`, DER) this signer applies to OFD files; without
    /// one an OFD is signed with a plain CMS signature (`Type="Sign"`).
    fn eseal(&self) -> Option<Vec<u8>> {
        None
    }
}

/// A seal whose key lives in this process (decrypted from the store when needed).
pub struct LocalSeal {
    key: SigningKey,
    chain: Vec<Certificate>,
    eseal: Option<Vec<u8>>,
}

impl LocalSeal {
    pub fn new(key: SigningKey, chain: Vec<Certificate>) -> LocalSeal {
        LocalSeal {
            key,
            chain,
            eseal: None,
        }
    }

    /// With the electronic seal the seal maker made for this key ([`crate::ses::make_seal`]).
    pub fn with_eseal(mut self, eseal: Vec<u8>) -> LocalSeal {
        self.eseal = Some(eseal);
        self
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

    fn eseal(&self) -> Option<Vec<u8>> {
        self.eseal.clone()
    }
}
