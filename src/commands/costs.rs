//! `scpsim costs --org PATH --export FILE...`: billing exports (FOCUS or CUR; CSV, gzip CSV,
//! Parquet) rolled up the organization tree, per OU (with subtotals of nested OUs), account,
//! service and region; with `--guardrails`, the usage spend that the org's SCPs now deny.
//!
//! Exit codes: 0 the report is complete (and, with `--guardrails`, no spend is wholly denied);
//! 1 `--guardrails` found spend in an (account, service, region) whose SCPs deny every
//! representative action; 2 an input error: arguments, the org, an unreadable export, or
//! malformed rows (the report is still printed, without them); 3 environment failure.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::billing::guardrails::{self, GuardReport, Status};
use crate::billing::read::{ExportError, FileReport, read_export};
use crate::billing::rollup::{Rollup, rollup};
use crate::billing::{Aggregate, Money, display_money, exact_money};
use crate::catalog::Catalog;
use crate::error::ExitStatus;
use crate::output::{Format, OutputFormat};

use super::load_org;

/// A view of the spend (`--by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum By {
    /// Root and OUs, with subtotals of nested OUs.
    Ou,
    /// Accounts (those not in the org included, marked).
    Account,
    /// Services as the export names them.
    Service,
    /// Regions.
    Region,
}

/// The parameters of one `costs` run.
#[derive(Debug, Clone)]
pub struct CostsParams<'a> {
    /// Org file or directory.
    pub org: &'a Path,
    /// Export files.
    pub exports: &'a [PathBuf],
    /// Views, in the order given (duplicates ignored); empty means `ou`.
    pub by: &'a [By],
    /// Only charges whose period starts in this month (`YYYY-MM`).
    pub period: Option<&'a str>,
    /// Check usage spend against the SCPs.
    pub guardrails: bool,
}

#[derive(Serialize)]
struct CostsOut<'a> {
    version: u32,
    period: Option<&'a str>,
    files: &'a [FileReport],
    #[serde(skip_serializing_if = "Option::is_none")]
    by_ou: Option<&'a [crate::billing::rollup::OuRow]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by_account: Option<&'a [crate::billing::rollup::AccountRow]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by_service: Option<&'a [crate::billing::rollup::GroupRow]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by_region: Option<&'a [crate::billing::rollup::GroupRow]>,
    not_in_org: Vec<&'a crate::billing::rollup::AccountRow>,
    totals: &'a [crate::billing::rollup::TotalRow],
    #[serde(skip_serializing_if = "Option::is_none")]
    guardrails: Option<&'a GuardReport>,
}

fn valid_period(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() == 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..].iter().all(u8::is_ascii_digit)
        && (1..=12).contains(&p[5..].parse::<u32>().unwrap_or(0))
}

fn report_error(err: &mut dyn Write, e: &ExportError) {
    let _ = writeln!(err, "error: {e}");
    if let Some(help) = miette::Diagnostic::help(e) {
        let _ = writeln!(err, "  help: {help}");
    }
}

/// Runs `scpsim costs`.
pub fn run(
    format: OutputFormat,
    p: &CostsParams<'_>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ExitStatus {
    if let Some(period) = p.period
        && !valid_period(period)
    {
        let _ = writeln!(
            err,
            "error: --period `{period}` is not a month: write YYYY-MM (`2026-10`)"
        );
        return ExitStatus::Usage;
    }
    let (org, _) = match load_org(p.org, Format::from(format), false, err) {
        Ok(x) => x,
        Err(s) => return s,
    };
    let mut by: Vec<By> = Vec::new();
    for b in p.by {
        if !by.contains(b) {
            by.push(*b);
        }
    }
    if by.is_empty() {
        by.push(By::Ou);
    }

    // One file per rayon task; each streams its rows.
    let results: Vec<Result<FileReport, ExportError>> = p
        .exports
        .par_iter()
        .map(|f| read_export(f, p.period))
        .collect();
    let mut status = ExitStatus::Success;
    let mut files: Vec<FileReport> = Vec::new();
    for r in results {
        match r {
            Ok(f) => {
                for e in &f.errors {
                    let _ = writeln!(err, "error: {e}");
                }
                if f.malformed > 0 {
                    let _ = writeln!(
                        err,
                        "error: {}: {} malformed row{} skipped{}; the totals leave {} out",
                        f.file,
                        f.malformed,
                        if f.malformed == 1 { "" } else { "s" },
                        if (f.errors.len() as u64) < f.malformed {
                            format!(" (first {} shown)", f.errors.len())
                        } else {
                            String::new()
                        },
                        if f.malformed == 1 { "it" } else { "them" },
                    );
                    status = status.max(ExitStatus::Usage);
                }
                files.push(f);
            }
            Err(e) => {
                report_error(err, &e);
                status = status.max(ExitStatus::Usage);
            }
        }
    }
    let agg = Aggregate::merge(files.iter_mut().map(|f| std::mem::take(&mut f.aggregate)));
    let roll = rollup(&org, &agg);

    let guard = if p.guardrails {
        let catalog = match Catalog::load() {
            Ok(c) => c,
            Err(e) => {
                let _ = writeln!(err, "error: cannot load the AWS catalog: {e}");
                return ExitStatus::Environment;
            }
        };
        match guardrails::check(&org, catalog, &agg, super::catalog_eval_options()) {
            Ok(g) => {
                if g.cells.iter().any(|c| c.status == Status::Denied) {
                    status = status.max(ExitStatus::Failure);
                }
                Some(g)
            }
            Err(e) => {
                let _ = writeln!(err, "error: {e}");
                return ExitStatus::Environment;
            }
        }
    } else {
        None
    };

    let text = match format {
        OutputFormat::Json | OutputFormat::Sarif => {
            let doc = CostsOut {
                version: 1,
                period: p.period,
                files: &files,
                by_ou: by.contains(&By::Ou).then_some(roll.by_ou.as_slice()),
                by_account: by
                    .contains(&By::Account)
                    .then_some(roll.by_account.as_slice()),
                by_service: by
                    .contains(&By::Service)
                    .then_some(roll.by_service.as_slice()),
                by_region: by
                    .contains(&By::Region)
                    .then_some(roll.by_region.as_slice()),
                not_in_org: roll.not_in_org().collect(),
                totals: &roll.totals,
                guardrails: guard.as_ref(),
            };
            let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
            s.push('\n');
            s
        }
        OutputFormat::Csv => csv_text(&roll, &by, guard.as_ref()),
        _ => human(&org, &files, p.period, &roll, &by, guard.as_ref()),
    };
    if out.write_all(text.as_bytes()).is_err() {
        return ExitStatus::Environment;
    }
    status
}

/// Human tables: one per view, then the accounts not in the org, the grand totals and the
/// guardrail findings. Amounts rounded to cents ([`display_money`]).
fn human(
    org: &crate::org::OrgTree,
    files: &[FileReport],
    period: Option<&str>,
    roll: &Rollup,
    by: &[By],
    guard: Option<&GuardReport>,
) -> String {
    let mut o = String::new();
    let rows: u64 = files.iter().map(|f| f.used).sum();
    let mut months: Vec<&str> = files
        .iter()
        .flat_map(|f| f.months.iter().map(String::as_str))
        .collect();
    months.sort_unstable();
    months.dedup();
    let _ = writeln!(
        o,
        "{} export file{}, {rows} rows summed; period {}{}",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        period.unwrap_or("all"),
        if months.is_empty() {
            String::new()
        } else {
            format!(" (the files have charges in {})", months.join(", "))
        }
    );
    for f in files {
        if f.outside_period > 0 {
            let _ = writeln!(
                o,
                "  {}: {} rows outside the period left out",
                f.file, f.outside_period
            );
        }
        if let Some(c) = &f.assumed_currency {
            let _ = writeln!(o, "  {}: no currency column; {c} assumed", f.file);
        }
    }
    if roll.totals.is_empty() {
        let _ = writeln!(o, "\nno charges to roll up");
    }
    for b in by.iter().filter(|_| !roll.totals.is_empty()) {
        o.push('\n');
        let mut table: Vec<[String; 5]> = Vec::new();
        let head: [&str; 5] = match b {
            By::Ou => ["OU", "CURRENCY", "BILLED", "EFFECTIVE", "DIRECT BILLED"],
            By::Account => ["ACCOUNT", "CURRENCY", "BILLED", "EFFECTIVE", "OU"],
            By::Service => ["SERVICE", "CURRENCY", "BILLED", "EFFECTIVE", "ROWS"],
            By::Region => ["REGION", "CURRENCY", "BILLED", "EFFECTIVE", "ROWS"],
        };
        match b {
            By::Ou => {
                for r in &roll.by_ou {
                    table.push([
                        format!("{}{} ({})", "  ".repeat(r.depth), r.name, r.id),
                        r.currency.clone(),
                        display_money(r.total.billed),
                        display_money(r.total.effective),
                        display_money(r.direct.billed),
                    ]);
                }
                for a in roll.not_in_org() {
                    table.push([
                        format!("(not in the org) {}", account_label(a.id.as_str(), None)),
                        a.currency.clone(),
                        display_money(a.money.billed),
                        display_money(a.money.effective),
                        String::new(),
                    ]);
                }
            }
            By::Account => {
                for a in &roll.by_account {
                    let ou = a
                        .parent
                        .as_ref()
                        .and_then(|p| org.nodes.iter().find(|n| &n.id == p))
                        .map_or_else(|| "(not in the org)".to_string(), |n| n.name.clone());
                    table.push([
                        account_label(&a.id, a.name.as_deref()),
                        a.currency.clone(),
                        display_money(a.money.billed),
                        display_money(a.money.effective),
                        ou,
                    ]);
                }
            }
            By::Service | By::Region => {
                let list = if *b == By::Service {
                    &roll.by_service
                } else {
                    &roll.by_region
                };
                for g in list {
                    table.push([
                        if g.key.is_empty() {
                            "(none)".to_string()
                        } else {
                            g.key.clone()
                        },
                        g.currency.clone(),
                        display_money(g.money.billed),
                        display_money(g.money.effective),
                        g.rows.to_string(),
                    ]);
                }
            }
        }
        for t in &roll.totals {
            table.push([
                "TOTAL".to_string(),
                t.currency.clone(),
                display_money(t.money.billed),
                display_money(t.money.effective),
                if matches!(b, By::Service | By::Region) {
                    t.rows.to_string()
                } else {
                    String::new()
                },
            ]);
        }
        render_table(&mut o, head, &table);
    }
    let missing: Vec<_> = roll.not_in_org().collect();
    if !missing.is_empty() {
        let _ = writeln!(
            o,
            "\n{} account{} in the export but not in the organization:",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" }
        );
        for a in missing {
            let _ = writeln!(
                o,
                "  {} {} {}",
                account_label(&a.id, None),
                a.currency,
                display_money(a.money.billed)
            );
        }
    }
    if let Some(g) = guard {
        guard_human(&mut o, g);
    }
    o
}

fn account_label(id: &str, name: Option<&str>) -> String {
    match (id.is_empty(), name) {
        (true, _) => "(no account)".to_string(),
        (false, Some(n)) => format!("{n} ({id})"),
        (false, None) => id.to_string(),
    }
}

/// Left-aligned first two columns, right-aligned amounts.
fn render_table(o: &mut String, head: [&str; 5], rows: &[[String; 5]]) {
    let mut w = head.map(str::len);
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |o: &mut String, r: [&str; 5]| {
        let _ = writeln!(
            o,
            "{:<w0$}  {:<w1$}  {:>w2$}  {:>w3$}  {:>w4$}",
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            w0 = w[0],
            w1 = w[1],
            w2 = w[2],
            w3 = w[3],
            w4 = w[4]
        );
    };
    line(o, head);
    for r in rows {
        line(o, [&r[0], &r[1], &r[2], &r[3], &r[4]]);
    }
    // Trailing spaces of an empty last column are noise.
    let trimmed: String = o.lines().map(str::trim_end).collect::<Vec<_>>().join("\n");
    *o = trimmed;
    o.push('\n');
}

fn guard_human(o: &mut String, g: &GuardReport) {
    let _ = writeln!(
        o,
        "\nGuardrails: usage spend in {} (account, service, region) cells checked against the SCPs ({} decisions; a service stands for its Write actions)",
        g.evaluated_cells, g.decisions
    );
    let denied_cells: Vec<_> = g
        .cells
        .iter()
        .filter(|c| c.status == Status::Denied)
        .collect();
    if denied_cells.is_empty() {
        let _ = writeln!(o, "no usage spend where the SCPs deny the whole service");
    } else {
        let mut rows: Vec<[String; 7]> = Vec::new();
        for c in denied_cells {
            let why = c.reasons.first().map_or_else(String::new, |r| {
                let more = if c.reasons.len() > 1 {
                    format!(" (+{} more)", c.reasons.len() - 1)
                } else {
                    String::new()
                };
                format!("{}{more}", super::decided_summary(&r.decided_by))
            });
            rows.push([
                match c.status {
                    Status::Denied => "denied".to_string(),
                    Status::PartlyDenied => "partly denied".to_string(),
                },
                format!("{} ({})", c.account_name, c.account),
                format!("{} ({})", c.service, c.prefix),
                c.region.clone(),
                format!("{} {}", c.currency, display_money(c.money.billed)),
                format!("{}/{}", c.actions_denied, c.actions_total),
                why,
            ]);
        }
        let head = [
            "STATUS",
            "ACCOUNT",
            "SERVICE",
            "REGION",
            "USAGE BILLED",
            "ACTIONS DENIED",
            "DECIDED BY",
        ];
        let mut w = head.map(str::len);
        for r in &rows {
            for (i, c) in r.iter().enumerate() {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let mut emit = |r: [&str; 7]| {
            let l = format!(
                "{:<w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {:>w4$}  {:>w5$}  {}",
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                w0 = w[0],
                w1 = w[1],
                w2 = w[2],
                w3 = w[3],
                w4 = w[4],
                w5 = w[5]
            );
            let _ = writeln!(o, "{}", l.trim_end());
        };
        emit(head);
        for r in &rows {
            emit([&r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6]]);
        }
    }
    let denied = g.denied_totals();
    let partly: Vec<(String, Money)> = {
        let mut m: std::collections::BTreeMap<String, Money> = std::collections::BTreeMap::new();
        for c in g.cells.iter().filter(|c| c.status == Status::PartlyDenied) {
            m.entry(c.currency.clone()).or_default().add(&c.money);
        }
        m.into_iter().collect()
    };
    let fmt = |v: &[(String, Money)]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.iter()
                .map(|(c, m)| format!("{c} {}", display_money(m.billed)))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let _ = writeln!(
        o,
        "denied usage spend: {}; partly denied: {}",
        fmt(&denied),
        fmt(&partly)
    );
    // Partly denied cells, grouped by the policy that denies most of their actions (each
    // cell is listed by `--format json` and `--format csv`).
    let mut by_reason: std::collections::BTreeMap<
        String,
        (usize, std::collections::BTreeMap<String, Money>),
    > = std::collections::BTreeMap::new();
    for c in g.cells.iter().filter(|c| c.status == Status::PartlyDenied) {
        let why = c
            .reasons
            .first()
            .map_or_else(String::new, |r| super::decided_summary(&r.decided_by));
        let e = by_reason.entry(why).or_default();
        e.0 += 1;
        e.1.entry(c.currency.clone()).or_default().add(&c.money);
    }
    if !by_reason.is_empty() {
        let _ = writeln!(
            o,
            "partly denied (some of the service's actions; --format json or csv lists each cell):"
        );
        for (why, (n, money)) in &by_reason {
            let money: Vec<(String, Money)> = money.clone().into_iter().collect();
            let _ = writeln!(
                o,
                "  {n} cell{} ({}): {why}",
                if *n == 1 { "" } else { "s" },
                fmt(&money)
            );
        }
    }
    if !g.skipped.is_empty() {
        let _ = writeln!(o, "not evaluated:");
        for s in &g.skipped {
            let _ = writeln!(
                o,
                "  {}: {} — {} {}",
                s.reason.describe(),
                if s.subject.is_empty() {
                    "(none)"
                } else {
                    s.subject.as_str()
                },
                s.currency,
                display_money(s.money.billed)
            );
        }
    }
}

/// CSV: one row per line of every view, then the totals, then the guardrail cells. Amounts
/// are exact ([`exact_money`]).
fn csv_text(roll: &Rollup, by: &[By], guard: Option<&GuardReport>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "view",
        "id",
        "name",
        "parent",
        "region",
        "currency",
        "billed_cost",
        "effective_cost",
        "rows",
        "status",
        "decided_by",
    ]);
    let mut rec = |r: [&str; 11]| {
        let _ = w.write_record(r);
    };
    for b in by {
        match b {
            By::Ou => {
                for r in &roll.by_ou {
                    rec([
                        "ou",
                        &r.id,
                        &r.name,
                        r.parent.as_deref().unwrap_or(""),
                        "",
                        &r.currency,
                        &exact_money(r.total.billed),
                        &exact_money(r.total.effective),
                        &r.rows.to_string(),
                        "",
                        "",
                    ]);
                }
            }
            By::Account => {
                for a in &roll.by_account {
                    rec([
                        "account",
                        &a.id,
                        a.name.as_deref().unwrap_or(""),
                        a.parent.as_deref().unwrap_or(""),
                        "",
                        &a.currency,
                        &exact_money(a.money.billed),
                        &exact_money(a.money.effective),
                        &a.rows.to_string(),
                        if a.in_org { "" } else { "not_in_org" },
                        "",
                    ]);
                }
            }
            By::Service | By::Region => {
                let (view, list) = if *b == By::Service {
                    ("service", &roll.by_service)
                } else {
                    ("region", &roll.by_region)
                };
                for g in list {
                    rec([
                        view,
                        &g.key,
                        &g.key,
                        "",
                        if view == "region" { &g.key } else { "" },
                        &g.currency,
                        &exact_money(g.money.billed),
                        &exact_money(g.money.effective),
                        &g.rows.to_string(),
                        "",
                        "",
                    ]);
                }
            }
        }
    }
    for t in &roll.totals {
        rec([
            "total",
            "",
            "",
            "",
            "",
            &t.currency,
            &exact_money(t.money.billed),
            &exact_money(t.money.effective),
            &t.rows.to_string(),
            "",
            "",
        ]);
    }
    if let Some(g) = guard {
        for c in &g.cells {
            let why = c
                .reasons
                .iter()
                .map(|r| super::decided_summary(&r.decided_by))
                .collect::<Vec<_>>()
                .join("; ");
            rec([
                "guardrail",
                &c.account,
                &c.account_name,
                &format!("{} ({})", c.service, c.prefix),
                &c.region,
                &c.currency,
                &exact_money(c.money.billed),
                &exact_money(c.money.effective),
                &c.rows.to_string(),
                match c.status {
                    Status::Denied => "denied",
                    Status::PartlyDenied => "partly_denied",
                },
                &why,
            ]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
