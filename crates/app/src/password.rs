//! Password hashing with argon2id (RFC 9106 defaults of the argon2 crate), off the async threads.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::error::{AppError, Result};

/// A PHC-format argon2id hash of `password` with a fresh random salt.
pub async fn hash(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(AppError::internal)
    })
    .await
    .map_err(AppError::internal)?
}

/// Whether `password` matches the stored hash. A malformed stored hash never matches.
pub async fn verify(password: &str, stored: &str) -> bool {
    let (password, stored) = (password.to_owned(), stored.to_owned());
    tokio::task::spawn_blocking(move || match PasswordHash::new(&stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    })
    .await
    .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so that an unknown sign-in name
/// takes as long to refuse as a wrong password.
pub(crate) const DECOY: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$7Yr4bYt0TXHhyAp9UO5bcfAqHSTq3/Ac2aKk0XmuBvg";

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn hashes_are_argon2id_and_salted() {
        let a = super::hash("Tongban#2026").await.unwrap();
        let b = super::hash("Tongban#2026").await.unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(super::verify("Tongban#2026", &a).await);
        assert!(!super::verify("Tongban#2027", &a).await);
        assert!(!super::verify("x", "not a hash").await);
    }
}
