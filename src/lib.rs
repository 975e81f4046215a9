//! scpsim: lint, simulate, check and diff AWS Organizations service control policies (SCPs)
//! and resource control policies (RCPs), with one policy parser and one evaluation engine.
//!
//! Modules, bottom-up (each imports only from those above it): [`source`] (files, spans),
//! [`diag`] (findings), [`json`] (strict JSON with spans), [`policy`] (typed AST), [`billing`]
//! (cost exports rolled up the org tree), [`rules`]
//! (lint rules), [`lint`] (running them over files), [`output`], [`error`] (exit codes),
//! [`commands`] (one file per subcommand), [`cli`].

pub mod source;

pub mod diag;

pub mod json;

pub mod policy;

pub mod limits;

pub mod eval;

pub mod catalog;

pub mod org;

pub mod analyze;

pub mod billing;

pub mod rules;

pub mod config;

pub mod fix;

pub mod lint;

pub mod output;

pub mod error;

pub mod commands;

pub mod cli;
