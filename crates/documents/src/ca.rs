//! The deployment's certificate authority (SM2, X.509): a self-signed root whose certificate
//! anyone may download, and the certificates it issues to each agency's seal key. A signature
//! counts only when its certificate chains to this root.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use der::asn1::OctetString;
use der::{Decode, Encode, EncodePem};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use sm2::pkcs8::spki::SubjectPublicKeyInfoRef;
use sm2::pkcs8::EncodePublicKey;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage, KeyUsages};
use x509_cert::ext::Extension;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;
use x509_cert::{Certificate, TbsCertificate};

use crate::Error;

pub use x509_cert::Certificate as Cert;

struct Profile {
    issuer: Name,
    subject: Name,
    ca: bool,
}

fn ext<T: Encode + der::oid::AssociatedOid>(value: &T, critical: bool) -> der::Result<Extension> {
    Ok(Extension {
        extn_id: T::OID,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

impl BuilderProfile for Profile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }

    fn get_subject(&self) -> Name {
        self.subject.clone()
    }

    fn build_extensions(
        &self,
        _spk: SubjectPublicKeyInfoRef<'_>,
        _issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        let usage = if self.ca {
            KeyUsages::KeyCertSign | KeyUsages::CRLSign
        } else {
            KeyUsages::DigitalSignature | KeyUsages::NonRepudiation
        };
        Ok(vec![
            ext(
                &BasicConstraints {
                    ca: self.ca,
                    path_len_constraint: None,
                },
                true,
            )?,
            ext(&KeyUsage(usage), true)?,
        ])
    }
}

/// A distinguished name from an organisation and a common name, quoted for RFC 4514.
fn name(org: &str, cn: &str) -> Result<Name, Error> {
    let q = |s: &str| {
        s.replace('\\', "\\\\")
            .replace(',', "\\,")
            .replace('+', "\\+")
            .replace('=', "\\=")
    };
    Name::from_str(&format!("CN={},O={},C=CN", q(cn), q(org)))
        .map_err(|e| Error::Cert(e.to_string()))
}

fn validity(from: DateTime<Utc>, years: u32) -> Result<Validity, Error> {
    let start = Duration::from_secs(from.timestamp().max(0) as u64);
    let end = start + Duration::from_secs(u64::from(years) * 365 * 86_400);
    Ok(Validity::new(
        x509_cert::time::Time::GeneralTime(
            der::asn1::GeneralizedTime::from_unix_duration(start)
                .map_err(|e| Error::Cert(e.to_string()))?,
        ),
        x509_cert::time::Time::GeneralTime(
            der::asn1::GeneralizedTime::from_unix_duration(end)
                .map_err(|e| Error::Cert(e.to_string()))?,
        ),
    ))
}

fn spki(key: &VerifyingKey) -> Result<SubjectPublicKeyInfoOwned, Error> {
    let der = key
        .to_public_key_der()
        .map_err(|e| Error::Cert(e.to_string()))?;
    SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).map_err(|e| Error::Cert(e.to_string()))
}

fn serial(n: u64) -> Result<SerialNumber, Error> {
    // Positive and never zero.
    let mut b = vec![0x01];
    b.extend_from_slice(&n.to_be_bytes());
    SerialNumber::new(&b).map_err(|e| Error::Cert(e.to_string()))
}

/// Signs certificates with the SM2 signature DER-encoded (SEQUENCE of r and s), as X.509 and
/// every other SM2 implementation expect; the sm2 crate's own bit string holds r ‖ s raw.
struct DerSigner<'a>(&'a SigningKey);

struct DerSig(Vec<u8>);

impl x509_cert::spki::SignatureBitStringEncoding for DerSig {
    fn to_bitstring(&self) -> der::Result<der::asn1::BitString> {
        der::asn1::BitString::new(0, self.0.clone())
    }
}

impl sm2::dsa::signature::Keypair for DerSigner<'_> {
    type VerifyingKey = VerifyingKey;
    fn verifying_key(&self) -> VerifyingKey {
        self.0.verifying_key().clone()
    }
}

impl x509_cert::spki::SignatureAlgorithmIdentifier for DerSigner<'_> {
    type Params = der::AnyRef<'static>;
    const SIGNATURE_ALGORITHM_IDENTIFIER: x509_cert::spki::AlgorithmIdentifier<Self::Params> =
        <Signature as x509_cert::spki::AssociatedAlgorithmIdentifier>::ALGORITHM_IDENTIFIER;
}

impl sm2::dsa::signature::Signer<DerSig> for DerSigner<'_> {
    fn try_sign(&self, msg: &[u8]) -> Result<DerSig, sm2::dsa::signature::Error> {
        let sig: Signature = sm2::dsa::signature::Signer::try_sign(self.0, msg)?;
        Ok(DerSig(sig.to_der().as_bytes().to_vec()))
    }
}

/// A new self-signed root for the deployment `org`, valid `years` from `now`.
pub fn root(
    key: &SigningKey,
    org: &str,
    now: DateTime<Utc>,
    years: u32,
) -> Result<Certificate, Error> {
    let subject = name(org, &format!("{org} 电子印章根证书"))?;
    let profile = Profile {
        issuer: subject.clone(),
        subject,
        ca: true,
    };
    let b = CertificateBuilder::new(
        profile,
        serial(1)?,
        validity(now, years)?,
        spki(key.verifying_key())?,
    )
    .map_err(|e| Error::Cert(e.to_string()))?;
    b.build::<_, DerSig>(&DerSigner(key))
        .map_err(|e| Error::Cert(e.to_string()))
}

/// A certificate for an agency's seal key, issued by the root.
pub fn issue(
    ca_key: &SigningKey,
    ca_cert: &Certificate,
    agency: &str,
    key: &VerifyingKey,
    serial_no: u64,
    now: DateTime<Utc>,
    years: u32,
) -> Result<Certificate, Error> {
    let profile = Profile {
        issuer: ca_cert.tbs_certificate().subject().clone(),
        subject: name(agency, &format!("{agency} 电子印章"))?,
        ca: false,
    };
    let b = CertificateBuilder::new(
        profile,
        serial(serial_no)?,
        validity(now, years)?,
        spki(key)?,
    )
    .map_err(|e| Error::Cert(e.to_string()))?;
    b.build::<_, DerSig>(&DerSigner(ca_key))
        .map_err(|e| Error::Cert(e.to_string()))
}

/// The public key a certificate certifies.
pub fn public_key(cert: &Certificate) -> Result<VerifyingKey, Error> {
    let bits = cert
        .tbs_certificate()
        .subject_public_key_info()
        .subject_public_key
        .raw_bytes();
    VerifyingKey::from_sec1_bytes(crate::keys::dist_id()?, bits)
        .map_err(|e| Error::Cert(format!("{e:?}")))
}

/// Whether `cert` was issued (signed) by `issuer`.
pub fn issued_by(cert: &Certificate, issuer: &Certificate) -> bool {
    let Ok(key) = public_key(issuer) else {
        return false;
    };
    let Ok(tbs) = cert.tbs_certificate().to_der() else {
        return false;
    };
    let Some(sig) = cert.signature().as_bytes() else {
        return false;
    };
    let Ok(sig) = Signature::from_der(sig).or_else(|_| Signature::from_slice(sig)) else {
        return false;
    };
    cert.tbs_certificate().issuer() == issuer.tbs_certificate().subject()
        && sm2::dsa::signature::Verifier::verify(&key, &tbs, &sig).is_ok()
}

/// The certificate's subject common name.
pub fn common_name(cert: &Certificate) -> String {
    cert.tbs_certificate()
        .subject()
        .common_name()
        .ok()
        .flatten()
        .map(|n| match n {
            x509_cert::ext::pkix::name::DirectoryString::Utf8String(s) => s,
            x509_cert::ext::pkix::name::DirectoryString::PrintableString(s) => s.to_string(),
            other => format!("{other:?}"),
        })
        .unwrap_or_default()
}

/// The certificate's serial as hex.
pub fn serial_hex(cert: &Certificate) -> String {
    hex::encode(cert.tbs_certificate().serial_number().as_bytes())
}

pub fn to_der(cert: &Certificate) -> Result<Vec<u8>, Error> {
    cert.to_der().map_err(|e| Error::Cert(e.to_string()))
}

pub fn from_der(der: &[u8]) -> Result<Certificate, Error> {
    Certificate::from_der(der).map_err(|e| Error::Cert(e.to_string()))
}

pub fn to_pem(cert: &Certificate) -> Result<String, Error> {
    cert.to_pem(der::pem::LineEnding::LF)
        .map_err(|e| Error::Cert(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_certifies_an_agency_and_no_one_else_does() {
        let now = Utc::now();
        let ca_key = crate::keys::generate().unwrap_or_else(|_| panic!());
        let root = root(&ca_key, "清江市通办平台", now, 20).unwrap_or_else(|e| panic!("{e}"));
        assert!(issued_by(&root, &root));
        let agency = crate::keys::generate().unwrap_or_else(|_| panic!());
        let cert = issue(
            &ca_key,
            &root,
            "清江市市场监督管理局",
            agency.verifying_key(),
            7,
            now,
            5,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(issued_by(&cert, &root));
        assert_eq!(common_name(&cert), "清江市市场监督管理局 电子印章");
        assert_eq!(
            public_key(&cert).map(|k| k.to_sec1_bytes()).ok(),
            Some(agency.verifying_key().to_sec1_bytes())
        );
        // Another CA's certificate does not chain to ours.
        let other_key = crate::keys::generate().unwrap_or_else(|_| panic!());
        let other = super::root(&other_key, "别处", now, 20).unwrap_or_else(|e| panic!("{e}"));
        assert!(!issued_by(&cert, &other));
        assert!(to_pem(&root)
            .unwrap_or_default()
            .starts_with("-----BEGIN CERTIFICATE-----"));
    }
}
