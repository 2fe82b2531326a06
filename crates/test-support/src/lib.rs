//! Helpers for tests only; nothing in the product depends on this crate.
//!
//! [`browser`] drives Debian's headless Chromium over the DevTools protocol, so that page tests
//! run in a real browser: a small client of our own over a WebSocket, because the protocol
//! messages we need are few and the crates that wrap all of it break with new Chromium
//! releases when they meet events they do not know.

pub mod browser;
