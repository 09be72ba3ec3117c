//! CMS SignedData (RFC 5652) with SM2/SM3 (GM/T 0010 algorithms): detached, the signed
//! attributes carrying the content type, the signing time and the SM3 digest of the signed bytes,
//! and the certificate chain (the agency's certificate, then the root).

use chrono::{DateTime, Utc};
use cms::cert::IssuerAndSerialNumber;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{Any, ObjectIdentifier, OctetString, SetOfVec, UtcTime};
use der::{Decode, Encode};
use sm3v5::{Digest, Sm3};
use x509_cert::attr::Attribute;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

use crate::seal::SealService;
use crate::Error;

pub const OID_SM3: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.401");
pub const OID_SM2_SM3: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.501");
pub const OID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
pub const OID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const OID_CONTENT_TYPE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
const OID_MESSAGE_DIGEST: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
const OID_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");

fn e(err: der::Error) -> Error {
    Error::Signature(err.to_string())
}

/// SM3 of several byte ranges in order.
pub fn sm3(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sm3::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn attr(oid: ObjectIdentifier, value: Any) -> Result<Attribute, Error> {
    let mut values = SetOfVec::new();
    values.insert(value).map_err(e)?;
    Ok(Attribute { oid, values })
}

fn alg(oid: ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

/// A detached SignedData over content whose SM3 digest is `digest`, signed by `seal` at `at`.
pub fn sign(
    seal: &dyn SealService,
    digest: &[u8; 32],
    at: DateTime<Utc>,
) -> Result<Vec<u8>, Error> {
    let chain = seal.chain();
    let signer = chain
        .first()
        .ok_or_else(|| Error::Signature("no certificate".into()))?;
    let time =
        UtcTime::from_unix_duration(std::time::Duration::from_secs(at.timestamp().max(0) as u64))
            .map_err(e)?;
    let mut attrs = SetOfVec::new();
    attrs
        .insert(attr(
            OID_CONTENT_TYPE,
            Any::encode_from(&OID_DATA).map_err(e)?,
        )?)
        .map_err(e)?;
    attrs
        .insert(attr(OID_SIGNING_TIME, Any::encode_from(&time).map_err(e)?)?)
        .map_err(e)?;
    attrs
        .insert(attr(
            OID_MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(digest.to_vec()).map_err(e)?).map_err(e)?,
        )?)
        .map_err(e)?;
    // The signature covers the DER of the attributes as a SET OF (RFC 5652 §5.4).
    let signed = attrs.to_der().map_err(e)?;
    let signature = seal.sign(&signed)?;
    let info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: signer.tbs_certificate().issuer().clone(),
            serial_number: signer.tbs_certificate().serial_number().clone(),
        }),
        digest_alg: alg(OID_SM3),
        signed_attrs: Some(attrs),
        signature_algorithm: alg(OID_SM2_SM3),
        signature: OctetString::new(signature).map_err(e)?,
        unsigned_attrs: None,
    };
    let mut certs = SetOfVec::new();
    for c in &chain {
        certs
            .insert(cms::cert::CertificateChoices::Certificate(c.clone()))
            .map_err(e)?;
    }
    let mut digests = SetOfVec::new();
    digests.insert(alg(OID_SM3)).map_err(e)?;
    let mut infos = SetOfVec::new();
    infos.insert(info).map_err(e)?;
    let sd = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: digests,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: OID_DATA,
            econtent: None,
        },
        certificates: Some(CertificateSet(certs)),
        crls: None,
        signer_infos: SignerInfos(infos),
    };
    ContentInfo {
        content_type: OID_SIGNED_DATA,
        content: Any::encode_from(&sd).map_err(e)?,
    }
    .to_der()
    .map_err(e)
}

/// A CMS signature as read from a file.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The signer's certificate, then any others the signature carries.
    pub signer: Certificate,
    pub others: Vec<Certificate>,
    pub signing_time: Option<DateTime<Utc>>,
    pub message_digest: Vec<u8>,
    /// The DER of the signed attributes (what the SM2 signature covers).
    pub signed_attrs: Vec<u8>,
    /// The SM2 signature, DER (r, s).
    pub signature: Vec<u8>,
}

/// Reads a detached SignedData.
pub fn parse(der_bytes: &[u8]) -> Result<Parsed, Error> {
    // The PDF's placeholder pads the DER with zeros: read one value, ignore the rest.
    let mut reader = der::SliceReader::new(der_bytes).map_err(e)?;
    let ci: ContentInfo = der::Decode::decode(&mut reader).map_err(e)?;
    if ci.content_type != OID_SIGNED_DATA {
        return Err(Error::Signature("not SignedData".into()));
    }
    let sd: SignedData = ci.content.decode_as().map_err(e)?;
    let info = sd
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or_else(|| Error::Signature("no signer".into()))?;
    let certs: Vec<Certificate> = sd
        .certificates
        .map(|c| {
            c.0.into_vec()
                .into_iter()
                .filter_map(|c| match c {
                    cms::cert::CertificateChoices::Certificate(c) => Some(c),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let SignerIdentifier::IssuerAndSerialNumber(sid) = &info.sid else {
        return Err(Error::Signature(
            "signer by key identifier is not supported".into(),
        ));
    };
    let (mut signer, mut others) = (None, Vec::new());
    for c in certs {
        if signer.is_none()
            && c.tbs_certificate().serial_number() == &sid.serial_number
            && c.tbs_certificate().issuer() == &sid.issuer
        {
            signer = Some(c);
        } else {
            others.push(c);
        }
    }
    let signer =
        signer.ok_or_else(|| Error::Signature("the signer's certificate is missing".into()))?;
    let attrs = info
        .signed_attrs
        .clone()
        .ok_or_else(|| Error::Signature("no signed attributes".into()))?;
    let mut digest = None;
    let mut time = None;
    for a in attrs.iter() {
        let Some(v) = a.values.iter().next() else {
            continue;
        };
        if a.oid == OID_MESSAGE_DIGEST {
            digest = v
                .decode_as::<OctetString>()
                .ok()
                .map(|o| o.as_bytes().to_vec());
        } else if a.oid == OID_SIGNING_TIME {
            time = v
                .decode_as::<UtcTime>()
                .ok()
                .and_then(|t| DateTime::from_timestamp(t.to_unix_duration().as_secs() as i64, 0));
        }
    }
    Ok(Parsed {
        signer,
        others,
        signing_time: time,
        message_digest: digest.ok_or_else(|| Error::Signature("no message digest".into()))?,
        signed_attrs: attrs.to_der().map_err(e)?,
        signature: info.signature.as_bytes().to_vec(),
    })
}

impl Parsed {
    /// Whether the SM2 signature over the signed attributes is the signer certificate's key's.
    pub fn signature_ok(&self) -> bool {
        let Ok(key) = crate::ca::public_key(&self.signer) else {
            return false;
        };
        let Ok(sig) = sm2::dsa::Signature::from_der(&self.signature) else {
            return false;
        };
        sm2::dsa::signature::Verifier::verify(&key, &self.signed_attrs, &sig).is_ok()
    }

    /// Whether the signature covers content with this digest.
    pub fn covers(&self, digest: &[u8; 32]) -> bool {
        self.message_digest.as_slice() == digest.as_slice()
    }
}

/// Re-encodes a parsed signature's signer certificate (for storage and display).
pub fn signer_der(p: &Parsed) -> Result<Vec<u8>, Error> {
    p.signer.to_der().map_err(e)
}

/// Reads the certificate a DER blob holds.
pub fn cert(der_bytes: &[u8]) -> Result<Certificate, Error> {
    Certificate::from_der(der_bytes).map_err(e)
}
