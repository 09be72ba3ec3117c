//! The electronic seal and seal signature of GB/T 38540-2020 (安全电子签章密码技术规范), version 4:
//! an `SESeal` made by the seal maker (制章者, here the deployment CA) binding an agency's name,
//! picture and signing certificate, and an `SES_Signature` by which the agency applies it to an
//! OFD (`Type="Seal"`, §18 of GB/T 33190): the seal, the signing time and the SM3 of the
//! signature file, signed with SM2 by the agency's key.

use std::time::Duration;

use chrono::{DateTime, Utc};
use der::asn1::{BitString, GeneralizedTime, Ia5String, ObjectIdentifier, OctetString};
use der::{Decode, Encode, Sequence};
use sm2::dsa::{Signature, SigningKey};
use x509_cert::Certificate;

use crate::cms::{self, OID_SM2_SM3};
use crate::seal::SealService;
use crate::Error;

/// The seal format's version (GB/T 38540-2020).
const VERSION: i64 = 4;
/// `SES_ESPropertyInfo.type`: 1, an organisation's seal (单位印章).
const ORGANISATION_SEAL: i64 = 1;
/// `certListType`: 1, the signers' certificates themselves.
const CERTIFICATES: i64 = 1;

fn e(err: der::Error) -> Error {
    Error::Signature(err.to_string())
}

fn ia5(s: &str) -> Result<Ia5String, Error> {
    Ia5String::new(s).map_err(e)
}

fn time(at: DateTime<Utc>) -> Result<GeneralizedTime, Error> {
    GeneralizedTime::from_unix_duration(Duration::from_secs(at.timestamp().max(0) as u64))
        .map_err(e)
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct Header {
    id: Ia5String,
    version: i64,
    vid: Ia5String,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct PropertyInfo {
    kind: i64,
    name: String,
    cert_list_type: i64,
    /// `SES_CertList` as `certs`: the DER of each certificate that may apply the seal.
    cert_list: Vec<OctetString>,
    create_date: GeneralizedTime,
    valid_start: GeneralizedTime,
    valid_end: GeneralizedTime,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct PictureInfo {
    kind: Ia5String,
    data: OctetString,
    /// Millimetres.
    width: i64,
    height: i64,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SealInfo {
    header: Header,
    es_id: Ia5String,
    property: PropertyInfo,
    picture: PictureInfo,
}

/// What the seal maker signs: the seal's information, its own certificate and the algorithm.
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SealContent {
    eseal_info: SealInfo,
    cert: OctetString,
    sign_alg_id: ObjectIdentifier,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SESeal {
    eseal_info: SealInfo,
    /// The seal maker's certificate.
    cert: OctetString,
    sign_alg_id: ObjectIdentifier,
    signed_value: BitString,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct TbsSign {
    version: i64,
    eseal: SESeal,
    time_info: GeneralizedTime,
    data_hash: BitString,
    property_info: Ia5String,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
struct SesSignature {
    to_sign: TbsSign,
    /// The signer's certificate.
    cert: OctetString,
    signature_alg_id: ObjectIdentifier,
    signature: BitString,
}

/// An agency's electronic seal to make: who it belongs to and what it looks like.
pub struct SealOrder<'a> {
    /// The seal's id (`esID`), ASCII.
    pub id: &'a str,
    /// The name on the seal (the agency's).
    pub name: &'a str,
    /// The seal's picture as SVG, and its size in millimetres.
    pub svg: &'a str,
    pub size_mm: i64,
    /// The certificate that may apply it (the agency's signing certificate).
    pub signer: &'a Certificate,
    pub made_at: DateTime<Utc>,
}

fn cert_validity(cert: &Certificate) -> Result<(GeneralizedTime, GeneralizedTime), Error> {
    let v = cert.tbs_certificate().validity();
    Ok((
        GeneralizedTime::from_unix_duration(v.not_before.to_unix_duration()).map_err(e)?,
        GeneralizedTime::from_unix_duration(v.not_after.to_unix_duration()).map_err(e)?,
    ))
}

/// Makes an electronic seal (`SESeal`, DER), signed by the seal maker: `maker_key` with its
/// certificate `maker` (the deployment CA). Valid while the signer's certificate is.
pub fn make_seal(
    order: &SealOrder<'_>,
    maker_key: &SigningKey,
    maker: &Certificate,
) -> Result<Vec<u8>, Error> {
    let (valid_start, valid_end) = cert_validity(order.signer)?;
    let info = SealInfo {
        header: Header {
            id: ia5("ES")?,
            version: VERSION,
            vid: ia5("Tongban")?,
        },
        es_id: ia5(order.id)?,
        property: PropertyInfo {
            kind: ORGANISATION_SEAL,
            name: order.name.to_string(),
            cert_list_type: CERTIFICATES,
            cert_list: vec![OctetString::new(order.signer.to_der().map_err(e)?).map_err(e)?],
            create_date: time(order.made_at)?,
            valid_start,
            valid_end,
        },
        picture: PictureInfo {
            kind: ia5("SVG")?,
            data: OctetString::new(order.svg.as_bytes()).map_err(e)?,
            width: order.size_mm,
            height: order.size_mm,
        },
    };
    let content = SealContent {
        eseal_info: info,
        cert: OctetString::new(maker.to_der().map_err(e)?).map_err(e)?,
        sign_alg_id: OID_SM2_SM3,
    };
    let sig: Signature =
        sm2::dsa::signature::Signer::try_sign(maker_key, &content.to_der().map_err(e)?)
            .map_err(|x| Error::Signature(x.to_string()))?;
    SESeal {
        eseal_info: content.eseal_info,
        cert: content.cert,
        sign_alg_id: content.sign_alg_id,
        signed_value: BitString::from_bytes(sig.to_der().as_bytes()).map_err(e)?,
    }
    .to_der()
    .map_err(e)
}

/// Applies `eseal` (an `SESeal`'s DER) to content whose SM3 digest is `digest`: the
/// `SES_Signature`'s DER, signed by `seal` at `at`. `property` names what was signed.
pub fn sign(
    seal: &dyn SealService,
    eseal: &[u8],
    digest: &[u8; 32],
    property: &str,
    at: DateTime<Utc>,
) -> Result<Vec<u8>, Error> {
    let signer = seal
        .chain()
        .into_iter()
        .next()
        .ok_or_else(|| Error::Signature("no certificate".into()))?;
    let tbs = TbsSign {
        version: VERSION,
        eseal: SESeal::from_der(eseal).map_err(e)?,
        time_info: time(at)?,
        data_hash: BitString::from_bytes(digest).map_err(e)?,
        property_info: ia5(property)?,
    };
    let signature = seal.sign(&tbs.to_der().map_err(e)?)?;
    SesSignature {
        to_sign: tbs,
        cert: OctetString::new(signer.to_der().map_err(e)?).map_err(e)?,
        signature_alg_id: OID_SM2_SM3,
        signature: BitString::from_bytes(&signature).map_err(e)?,
    }
    .to_der()
    .map_err(e)
}

/// A seal signature as read from a file.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The signature read as [`cms::Parsed`] (signer, time, digest, what the SM2 signature
    /// covers), so the verifier judges both kinds alike.
    pub signature: cms::Parsed,
    /// The seal's name and id.
    pub seal_name: String,
    pub seal_id: String,
    /// Whether the seal itself holds: the maker's signature over it is good, and the signer's
    /// certificate is one the seal lists.
    pub seal_ok: bool,
    /// What `propertyInfo` says was signed.
    pub property: String,
}

/// Reads an `SES_Signature` and checks the seal inside it (not yet the signer's signature:
/// that is [`cms::Parsed::signature_ok`]).
pub fn parse(der_bytes: &[u8]) -> Result<Parsed, Error> {
    let s = SesSignature::from_der(der_bytes).map_err(e)?;
    let signer = Certificate::from_der(s.cert.as_bytes()).map_err(e)?;
    let seal = &s.to_sign.eseal;
    let maker = Certificate::from_der(seal.cert.as_bytes()).map_err(e)?;
    let content = SealContent {
        eseal_info: seal.eseal_info.clone(),
        cert: seal.cert.clone(),
        sign_alg_id: seal.sign_alg_id,
    };
    let maker_signed = match (
        crate::ca::public_key(&maker),
        seal.signed_value
            .as_bytes()
            .and_then(|b| Signature::from_der(b).ok()),
        content.to_der(),
    ) {
        (Ok(key), Some(sig), Ok(bytes)) => {
            sm2::dsa::signature::Verifier::verify(&key, &bytes, &sig).is_ok()
        }
        _ => false,
    };
    let listed = s.cert.as_bytes();
    let seal_ok = maker_signed
        && seal.sign_alg_id == OID_SM2_SM3
        && seal
            .eseal_info
            .property
            .cert_list
            .iter()
            .any(|c| c.as_bytes() == listed);
    let time = DateTime::from_timestamp(s.to_sign.time_info.to_unix_duration().as_secs() as i64, 0);
    Ok(Parsed {
        signature: cms::Parsed {
            signer,
            others: vec![maker],
            signing_time: time,
            message_digest: s.to_sign.data_hash.raw_bytes().to_vec(),
            signed_attrs: s.to_sign.to_der().map_err(e)?,
            signature: s.signature.raw_bytes().to_vec(),
        },
        seal_name: seal.eseal_info.property.name.clone(),
        seal_id: seal.eseal_info.es_id.to_string(),
        seal_ok,
        property: s.to_sign.property_info.to_string(),
    })
}
