//! Editors' accounts: the rules, not the rows.
//!
//! It owns how a password is hashed (argon2id with the crate's defaults: 19 MiB, two passes),
//! what a password must be, how session and CSRF tokens are made and compared, how a visitor's
//! address is kept without being stored (a keyed hash), and when failed logins throttle an
//! address or lock an account. The store keeps users, sessions and failures; the web layer
//! asks this crate what they mean. It must not do IO beyond asking the OS for random bytes.
//!
//! argon2 (RustCrypto) is the password hash OWASP recommends first, in pure Rust; getrandom
//! gives the OS's CSPRNG without pulling a whole `rand`.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;
use subtle::ConstantTimeEq;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest: argon2 accepts more, but nobody types it and it is a cheap way to make us hash
/// megabytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AccountError {
    #[error("the password is too short: at least {MIN_PASSWORD_CHARS} characters")]
    PasswordTooShort,
    #[error("the password is too long: at most {MAX_PASSWORD_BYTES} bytes")]
    PasswordTooLong,
    #[error("the password must not be the user name")]
    PasswordIsUsername,
    #[error(
        "a user name is 2 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit"
    )]
    BadUsername,
    #[error("the operating system gave no random bytes: {0}")]
    Random(String),
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// Checks a new user name: short, plain, and safe to print anywhere.
pub fn check_username(name: &str) -> Result<(), AccountError> {
    let ok_len = (2..=32).contains(&name.len());
    let ok_first = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok_len && ok_first && ok_chars {
        Ok(())
    } else {
        Err(AccountError::BadUsername)
    }
}

/// Checks a new password against the few rules that matter: length, and not the name itself.
pub fn check_password(username: &str, password: &str) -> Result<(), AccountError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AccountError::PasswordTooLong);
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AccountError::PasswordTooShort);
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(AccountError::PasswordIsUsername);
    }
    Ok(())
}

/// The argon2id PHC string for a password, with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, AccountError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AccountError::PasswordTooLong);
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

/// Whether `password` matches the stored hash. A hash that cannot be read matches nothing.
pub fn verify_password(password: &str, hash: &str) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// Spends the time a real check would, for a user name that does not exist: otherwise how
/// fast a login fails would tell which names are accounts.
pub fn verify_nobody(password: &str) {
    static NOBODY: LazyLock<Option<String>> =
        LazyLock::new(|| hash_password("no account has this password").ok());
    if let Some(hash) = NOBODY.as_deref() {
        let _ = verify_password(password, hash);
    }
}

/// 32 random bytes, URL-safe: a session cookie, a CSRF token, a signing key.
pub fn new_token() -> Result<String, AccountError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AccountError::Random(e.to_string()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// A receipt a reader can type: a letter for what it is, then 12 characters from an alphabet
/// without look-alikes (no 0/O, 1/I/L), about 60 bits: not guessable, not long.
pub fn new_receipt(prefix: char) -> Result<String, AccountError> {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| AccountError::Random(e.to_string()))?;
    let mut receipt = String::with_capacity(16);
    receipt.push(prefix);
    for (i, b) in bytes.iter().enumerate() {
        if i % 4 == 0 {
            receipt.push('-');
        }
        // 256 is not a multiple of 31; the slight bias costs a fraction of a bit.
        receipt.push(char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]));
    }
    Ok(receipt)
}

/// What the store keeps of a token: its SHA-256, so that a leaked database opens no session.
pub fn token_digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn tokens_match(expected: &str, given: &str) -> bool {
    expected.len() == given.len() && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

/// A visitor's address as the store keeps it: keyed, so that the table of failed logins or
/// submissions is no list of readers' IP addresses, yet the same address counts together.
pub fn address_digest(key: &str, address: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(key.as_bytes());
    hasher.update([0]);
    hasher.update(address.as_bytes());
    hasher.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// When failed logins stop being answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    /// The period over which failures are counted, in seconds.
    pub window_secs: i64,
    /// Failures for one user name within the window that lock the account for the rest of it.
    pub per_user: u32,
    /// Failures from one address within the window (any names) that throttle the address.
    pub per_address: u32,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits {
            window_secs: 15 * 60,
            per_user: 5,
            per_address: 20,
        }
    }
}

/// The answer to "may this login be tried now?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginVerdict {
    Allowed,
    /// Too many failures for this name: locked until the window has passed since the last.
    AccountLocked {
        retry_after_secs: i64,
    },
    /// Too many failures from this address.
    AddressThrottled {
        retry_after_secs: i64,
    },
}

impl LoginLimits {
    /// Decides from the times (Unix seconds) of recent failures for the name and the address.
    /// A correct password does not help while locked: otherwise guessing would just go on.
    pub fn verdict(
        &self,
        now: i64,
        user_failures: &[i64],
        address_failures: &[i64],
    ) -> LoginVerdict {
        let recent = |times: &[i64]| -> (u32, i64) {
            let within: Vec<i64> = times
                .iter()
                .copied()
                .filter(|t| now - t < self.window_secs)
                .collect();
            let newest = within.iter().copied().max().unwrap_or(now);
            (u32::try_from(within.len()).unwrap_or(u32::MAX), newest)
        };
        let (by_address, newest_address) = recent(address_failures);
        if by_address >= self.per_address {
            return LoginVerdict::AddressThrottled {
                retry_after_secs: (newest_address + self.window_secs - now).max(1),
            };
        }
        let (by_user, newest_user) = recent(user_failures);
        if by_user >= self.per_user {
            return LoginVerdict::AccountLocked {
                retry_after_secs: (newest_user + self.window_secs - now).max(1),
            };
        }
        LoginVerdict::Allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("correct horse battery", "not a hash"));
        // A fresh salt each time.
        assert_ne!(hash, hash_password("correct horse battery").unwrap());
    }

    #[test]
    fn weak_passwords_and_odd_names_are_refused_with_the_rule() {
        assert_eq!(
            check_password("ann", "short"),
            Err(AccountError::PasswordTooShort)
        );
        assert_eq!(
            check_password("editor-one", "EDITOR-ONE"),
            Err(AccountError::PasswordIsUsername)
        );
        assert!(check_password("ann", "a long enough one").is_ok());
        assert!(check_username("zhang.san").is_ok());
        for bad in ["", "a", "-lead", "名字", "a b", &"x".repeat(33), "<script>"] {
            assert_eq!(check_username(bad), Err(AccountError::BadUsername), "{bad}");
        }
    }

    #[test]
    fn tokens_are_random_and_compared_whole() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(tokens_match(&a, &a.clone()));
        assert!(!tokens_match(&a, &b));
        assert!(!tokens_match(&a, &a[..42]));
        assert!(!tokens_match(&a, ""));
        assert_eq!(token_digest(&a).len(), 64);
        assert_ne!(token_digest(&a), token_digest(&b));
    }

    #[test]
    fn receipts_are_readable_and_distinct() {
        let r = new_receipt('S').unwrap();
        assert_eq!(r.len(), 16, "{r}");
        assert!(r.starts_with("S-"));
        assert!(!r.contains(['0', 'O', '1', 'I', 'L']));
        assert_ne!(r, new_receipt('S').unwrap());
    }

    #[test]
    fn address_digests_are_keyed() {
        let a = address_digest("k1", "203.0.113.9");
        assert_eq!(a, address_digest("k1", "203.0.113.9"));
        assert_ne!(a, address_digest("k2", "203.0.113.9"));
        assert_ne!(a, address_digest("k1", "203.0.113.10"));
        // SHA-256 of key, a zero byte and the address, its first 16 bytes in hex (worked out
        // apart from this code): the address cannot be read back from it.
        assert_eq!(a, "8da5bb24f0179c688778efe8bab8d365");
    }

    #[test]
    fn failures_lock_the_name_then_expire() {
        let limits = LoginLimits::default();
        let now = 10_000;
        let four = [now - 60, now - 50, now - 40, now - 30];
        assert_eq!(limits.verdict(now, &four, &four), LoginVerdict::Allowed);
        let five = [now - 60, now - 50, now - 40, now - 30, now - 20];
        assert_eq!(
            limits.verdict(now, &five, &five),
            LoginVerdict::AccountLocked {
                retry_after_secs: 900 - 20
            }
        );
        // Once the window has passed since the failures, the name is free again.
        assert_eq!(
            limits.verdict(now + 900, &five, &five),
            LoginVerdict::Allowed
        );
        let many: Vec<i64> = (0..20).map(|i| now - 100 + i).collect();
        assert!(matches!(
            limits.verdict(now, &[], &many),
            LoginVerdict::AddressThrottled { .. }
        ));
    }
}
