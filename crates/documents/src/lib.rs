//! Tongban's document service: a [`Document`](tongban_domain::document::Document) in, a sealed
//! PDF or OFD out, and the check of any file that claims to be one.
//!
//! - [`pdf`] sets a document in Chinese after GB/T 9704 with krilla and an embedded font subset;
//! - [`keys`] makes SM2 key pairs and keeps them encrypted (SM4-GCM) under the master key;
//! - [`ca`] is the deployment's certificate authority: the root and the agencies' certificates;
//! - [`cms`] writes and reads the SM2/SM3 CMS signatures;
//! - [`sign`] seals a PDF (an incremental update whose signature covers the whole file) and
//!   appends later marks the same way; [`verify`] reads them back;
//! - [`ses`] is the electronic seal of GB/T 38540 (`SESeal`, `SES_Signature`) for OFD;
//! - [`seal`] is the pluggable seal service: the built-in keys, or an agency's own signer.

pub mod ca;
pub mod cms;
pub mod font;
pub mod form;
pub mod keys;
pub mod ofd;
pub mod pdf;
pub mod seal;
pub mod ses;
pub mod sign;
pub mod verify;

/// What can go wrong while making or reading a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("the embedded font cannot be read")]
    Font,
    #[error("page layout failed")]
    Layout,
    #[error("PDF: {0}")]
    Pdf(String),
    #[error("key: {0}")]
    Key(String),
    #[error("certificate: {0}")]
    Cert(String),
    #[error("signature: {0}")]
    Signature(String),
}
