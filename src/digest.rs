//! Digests: a shared leaf (it imports no stage). Takes bytes (an input, a
//! rulebook, a registry); hands on their SHA-256 in hex, the identity the
//! output and resumption use.

use sha2::{Digest, Sha256};

/// Hex SHA-256 of bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}
