//! `scpsim costs` on generated FOCUS and CUR exports (billing::generate) for the example org:
//! totals reconcile exactly with a direct decimal sum, OU subtotals are the sums of their
//! children, spend in a region the region guardrail denies is reported with the deciding SCP,
//! malformed rows are located and counted, output is the same whatever the thread count.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code may fail loudly"
)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use rust_decimal::Decimal;
use scpsim::billing::generate::{GenSpec, GenTotals, write_csv};
use scpsim::billing::guardrails::{self, Status};
use scpsim::billing::read::{ExportError, ExportFormat, read_export};
use scpsim::billing::rollup::rollup;
use scpsim::billing::{Aggregate, Money, display_money, exact_money};
use scpsim::eval::trace::DecidedBy;
use scpsim::org::OrgTree;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn example_org() -> OrgTree {
    let c = scpsim::catalog::Catalog::load().unwrap();
    scpsim::org::local::load(&root().join("fixtures/orgs/example"), &c.quotas())
        .tree
        .unwrap()
}

fn generate(dir: &Path, name: &str, spec: &GenSpec) -> (PathBuf, GenTotals) {
    let path = dir.join(name);
    let t = if name.ends_with(".gz") {
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&path).unwrap(),
            flate2::Compression::fast(),
        );
        let t = write_csv(spec, &mut gz).unwrap();
        gz.finish().unwrap();
        t
    } else {
        write_csv(spec, std::fs::File::create(&path).unwrap()).unwrap()
    };
    (path, t)
}

fn scpsim(args: &[&str], threads: &str) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_scpsim"))
        .args(args)
        .current_dir(root())
        .env("RAYON_NUM_THREADS", threads)
        .env_remove("SCPSIM_FORMAT")
        .output()
        .unwrap();
    (
        o.status.code().unwrap(),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

/// Two currencies, so that the per-currency split is exercised.
fn two_currency_spec(format: ExportFormat, rows: u64, seed: u64) -> GenSpec {
    let mut s = GenSpec::example_org(format, rows, seed);
    s.currencies = vec!["USD".into(), "EUR".into()];
    s
}

#[test]
fn totals_reconcile_exactly_focus_cur_and_gzip() {
    let dir = tempfile::tempdir().unwrap();
    for (name, format) in [
        ("focus.csv", ExportFormat::Focus),
        ("cur.csv", ExportFormat::Cur),
        ("focus.csv.gz", ExportFormat::Focus),
    ] {
        let spec = two_currency_spec(format, 7_000, 11);
        let (path, want) = generate(dir.path(), name, &spec);
        let r = read_export(&path, None).unwrap();
        assert_eq!(r.format, format);
        assert_eq!((r.rows, r.used, r.malformed), (7_000, 7_000, 0), "{name}");
        let got: BTreeMap<String, Money> = r
            .aggregate
            .totals()
            .into_iter()
            .map(|(c, s)| (c, s.all))
            .collect();
        assert_eq!(got, want.by_currency, "{name}");
        assert_eq!(got.len(), 2, "USD and EUR are kept apart");
        // Per account too.
        let mut per: BTreeMap<(String, String), Money> = BTreeMap::new();
        for (k, s) in &r.aggregate.entries {
            per.entry((k.account.clone(), k.currency.clone()))
                .or_default()
                .add(&s.all);
        }
        assert_eq!(per, want.by_account, "{name}");
    }
}

#[test]
fn ou_subtotals_are_the_sums_of_their_children() {
    let dir = tempfile::tempdir().unwrap();
    let (path, want) = generate(
        dir.path(),
        "f.csv",
        &two_currency_spec(ExportFormat::Focus, 5_000, 3),
    );
    let org = example_org();
    let r = read_export(&path, None).unwrap();
    let roll = rollup(&org, &r.aggregate);
    assert!(!roll.by_ou.is_empty());
    let mut checked_nested = false;
    for row in &roll.by_ou {
        let children: Vec<_> = roll
            .by_ou
            .iter()
            .filter(|c| c.parent.as_deref() == Some(&row.id) && c.currency == row.currency)
            .collect();
        let mut sum = row.direct;
        for c in &children {
            sum.add(&c.total);
        }
        assert_eq!(sum, row.total, "{} {}", row.name, row.currency);
        // Direct = the accounts whose parent is this node.
        let mut direct = Money::default();
        for a in roll
            .by_account
            .iter()
            .filter(|a| a.parent.as_deref() == Some(&row.id) && a.currency == row.currency)
        {
            direct.add(&a.money);
        }
        assert_eq!(direct, row.direct, "{}", row.name);
        checked_nested |= row.name == "Workloads" && children.len() == 2;
    }
    assert!(checked_nested, "Workloads has Prod and Dev below it");
    // Root + accounts not in the org = every row.
    for (cur, m) in &want.by_currency {
        let mut sum = roll
            .by_ou
            .iter()
            .find(|r| r.depth == 0 && &r.currency == cur)
            .unwrap()
            .total;
        let outside: Vec<_> = roll.not_in_org().filter(|a| &a.currency == cur).collect();
        assert_eq!(outside.len(), 1);
        assert_eq!(outside[0].id, "999999999999");
        sum.add(&outside[0].money);
        assert_eq!(&sum, m);
    }
}

#[test]
fn cli_by_ou_grand_total_equals_the_exact_file_total() {
    let dir = tempfile::tempdir().unwrap();
    let (path, want) = generate(
        dir.path(),
        "focus.csv",
        &GenSpec::example_org(ExportFormat::Focus, 20_000, 5),
    );
    let p = path.to_str().unwrap();
    let (code, out, err) = scpsim(
        &[
            "costs",
            "--org",
            "fixtures/orgs/example",
            "--export",
            p,
            "--by",
            "ou",
        ],
        "2",
    );
    assert_eq!(code, 0, "{err}");
    let usd = want.by_currency["USD"];
    let total = out
        .lines()
        .find(|l| l.starts_with("TOTAL"))
        .expect("a TOTAL line");
    let cols: Vec<&str> = total.split_whitespace().collect();
    assert_eq!(
        cols,
        vec![
            "TOTAL",
            "USD",
            display_money(usd.billed).as_str(),
            display_money(usd.effective).as_str()
        ]
    );
    assert!(out.contains("  Workloads (ou-ex01-workload)"), "{out}");
    assert!(out.contains("    Prod (ou-ex01-prod0001)"), "{out}");
    assert!(out.contains("(not in the org) 999999999999"), "{out}");

    // CSV and JSON carry the exact sums.
    let (code, csv_out, _) = scpsim(
        &[
            "costs",
            "--format",
            "csv",
            "--org",
            "fixtures/orgs/example",
            "--export",
            p,
        ],
        "2",
    );
    assert_eq!(code, 0);
    let mut rdr = csv::Reader::from_reader(csv_out.as_bytes());
    let total: Vec<csv::StringRecord> = rdr
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[0] == "total")
        .collect();
    assert_eq!(total.len(), 1);
    assert_eq!(&total[0][6], exact_money(usd.billed));
    assert_eq!(&total[0][7], exact_money(usd.effective));

    let (code, json_out, _) = scpsim(
        &[
            "costs",
            "--format",
            "json",
            "--org",
            "fixtures/orgs/example",
            "--export",
            p,
            "--by",
            "account,service",
        ],
        "2",
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&json_out).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["totals"][0]["money"]["billed"], exact_money(usd.billed));
    assert!(v["by_account"].is_array() && v["by_service"].is_array());
    assert!(v.get("by_ou").is_none());
    assert_eq!(v["not_in_org"][0]["id"], "999999999999");
    assert_eq!(v["files"][0]["rows"], 20_000);
}

#[test]
fn guardrails_report_spend_in_a_denied_region_with_the_scp() {
    let dir = tempfile::tempdir().unwrap();
    let (path, want) = generate(
        dir.path(),
        "focus.csv",
        &GenSpec::example_org(ExportFormat::Focus, 20_000, 9),
    );
    let org = example_org();
    let r = read_export(&path, None).unwrap();
    let agg = Aggregate::merge([r.aggregate]);
    let catalog = scpsim::catalog::Catalog::load().unwrap();
    let g = guardrails::check(
        &org,
        catalog,
        &agg,
        scpsim::commands::catalog_eval_options(),
    )
    .unwrap();

    // sandbox-alice's EC2 in us-east-1: outside the Sandbox OU's approved regions.
    let cell = g
        .cells
        .iter()
        .find(|c| c.account == "555555555501" && c.prefix == "ec2" && c.region == "us-east-1")
        .expect("EC2 in us-east-1 for sandbox-alice is denied");
    assert_eq!(cell.status, Status::Denied);
    assert_eq!(cell.actions_denied, cell.actions_total);
    let usage = want.usage[&(
        "555555555501".to_string(),
        "AmazonEC2".to_string(),
        "us-east-1".to_string(),
        "USD".to_string(),
    )];
    assert_eq!(cell.money, usage, "the cell carries the exact usage spend");
    match &cell.reasons[0].decided_by {
        DecidedBy::ExplicitDeny { policy, node, .. } => {
            assert_eq!(policy, "DenyOutsideApprovedRegions");
            assert!(node.as_deref().unwrap().contains("Sandbox"), "{node:?}");
        }
        other => panic!("unexpected {other:?}"),
    }
    // The same service in an approved region is not denied.
    assert!(!g.cells.iter().any(|c| c.account == "555555555501"
        && c.prefix == "ec2"
        && c.region == "eu-west-1"
        && c.status == Status::Denied));
    // Redshift in Prod is denied everywhere, by the restricted-services SCP in eu-west-1.
    let rs = g
        .cells
        .iter()
        .find(|c| c.account == "333333333302" && c.prefix == "redshift" && c.region == "eu-west-1")
        .unwrap();
    assert!(matches!(&rs.reasons[0].decided_by,
        DecidedBy::ExplicitDeny { policy, .. } if policy == "DenyRestrictedServices"));
    // The management account is exempt from SCPs.
    assert!(!g.cells.iter().any(|c| c.account == "111111111111"));
    // Spend that cannot be evaluated is reported, not dropped.
    assert!(
        g.skipped
            .iter()
            .any(|s| s.subject == "999999999999" && s.money.billed > Decimal::ZERO)
    );
    assert!(g.skipped.iter().any(|s| s.subject == "AWS Data Transfer"));

    // The command: exit 1, naming the SCP and the node next to the spend.
    let (code, out, err) = scpsim(
        &[
            "costs",
            "--org",
            "fixtures/orgs/example",
            "--export",
            path.to_str().unwrap(),
            "--guardrails",
        ],
        "2",
    );
    assert_eq!(code, 1, "{err}");
    let line = out
        .lines()
        .find(|l| {
            l.starts_with("denied")
                && l.contains("sandbox-alice (555555555501)")
                && l.contains("(ec2)")
                && l.contains("us-east-1")
        })
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        line.contains(&format!("USD {}", display_money(usage.billed))),
        "{line}"
    );
    assert!(
        line.contains("SCP DenyOutsideApprovedRegions")
            && line.contains("OU Sandbox (ou-ex01-sandbox1)"),
        "{line}"
    );
}

#[test]
fn guardrails_find_nothing_when_spend_stays_in_approved_regions() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = GenSpec::example_org(ExportFormat::Focus, 2_000, 4);
    spec.regions = vec!["eu-west-1".into()];
    spec.services.retain(|s| s.0 == "AWSLambda");
    spec.accounts = vec!["444444444401".into(), "555555555501".into()];
    let (path, _) = generate(dir.path(), "f.csv", &spec);
    let (code, out, err) = scpsim(
        &[
            "costs",
            "--org",
            "fixtures/orgs/example",
            "--export",
            path.to_str().unwrap(),
            "--guardrails",
        ],
        "1",
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("no usage spend where the SCPs deny the whole service"));
}

#[test]
fn malformed_rows_and_files_are_located_never_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    let mut f = std::fs::File::create(&bad).unwrap();
    writeln!(f, "SubAccountId,ServiceName,RegionId,BilledCost,EffectiveCost,ChargePeriodStart,ChargeCategory,BillingCurrency").unwrap();
    writeln!(
        f,
        "555555555501,AWS Lambda,eu-west-1,1.50,1.50,2026-10-01,Usage,USD"
    )
    .unwrap();
    writeln!(
        f,
        "555555555501,AWS Lambda,eu-west-1,1.5O,1.50,2026-10-01,Usage,USD"
    )
    .unwrap();
    writeln!(
        f,
        "555555555501,AWS Lambda,eu-west-1,2,2,2026-10-01,Usage,ZZZ"
    )
    .unwrap();
    writeln!(f, "555555555501,AWS Lambda,eu-west-1,2,2,2026-10-01,Usage").unwrap();
    writeln!(
        f,
        "555555555501,AWS Lambda,eu-west-1,0.25,0.25,2026-10-02,Usage,USD"
    )
    .unwrap();
    drop(f);
    let missing = dir.path().join("missing-col.csv");
    std::fs::write(
        &missing,
        "SubAccountId,ServiceName,BilledCost,EffectiveCost,ChargePeriodStart,ChargeCategory,BillingCurrency\n1,S,1,1,2026-10-01,Usage,USD\n",
    )
    .unwrap();
    let (code, out, err) = scpsim(
        &[
            "costs",
            "--org",
            "fixtures/orgs/example",
            "--export",
            bad.to_str().unwrap(),
            missing.to_str().unwrap(),
        ],
        "2",
    );
    assert_eq!(code, 2, "{out}{err}");
    let b = bad.display();
    for want in [
        format!("{b}:3: column `BilledCost`: `1.5O` is not a decimal number"),
        format!("{b}:4: column `BillingCurrency`: `ZZZ` is not an ISO 4217 currency code"),
        format!("{b}:5: column `(row)`: the row has 7 fields, the header has 8"),
        format!("{b}: 3 malformed rows skipped"),
        format!(
            "{}:1: column `RegionId`: missing from the FOCUS header",
            missing.display()
        ),
    ] {
        assert!(err.contains(&want), "missing `{want}` in:\n{err}");
    }
    // The good rows are still reported.
    let total = out.lines().find(|l| l.starts_with("TOTAL")).unwrap();
    assert!(total.contains("1.75"), "{total}");

    // A bad --period is a usage error.
    let (code, _, err) = scpsim(
        &[
            "costs",
            "--org",
            "fixtures/orgs/example",
            "--export",
            bad.to_str().unwrap(),
            "--period",
            "2026-13",
        ],
        "1",
    );
    assert_eq!(code, 2);
    assert!(err.contains("--period `2026-13`"));
}

#[test]
fn period_filter_and_output_independent_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = generate(
        dir.path(),
        "a.csv",
        &two_currency_spec(ExportFormat::Focus, 3_000, 1),
    );
    let mut later = two_currency_spec(ExportFormat::Cur, 3_000, 2);
    later.month = "2026-11".into();
    let (b, tb) = generate(dir.path(), "b.csv.gz", &later);
    let args = |period: Option<&'static str>| {
        let mut v = vec![
            "costs".to_string(),
            "--format".into(),
            "json".into(),
            "--org".into(),
            "fixtures/orgs/example".into(),
            "--export".into(),
            a.display().to_string(),
            b.display().to_string(),
            "--by".into(),
            "ou,account,service,region".into(),
            "--guardrails".into(),
        ];
        if let Some(p) = period {
            v.push("--period".into());
            v.push(p.into());
        }
        v
    };
    let run = |threads: &str, period| {
        let a = args(period);
        let refs: Vec<&str> = a.iter().map(String::as_str).collect();
        scpsim(&refs, threads)
    };
    let one = run("1", None);
    let two = run("2", None);
    assert_eq!(one.1, two.1, "byte-identical across RAYON_NUM_THREADS");
    assert_eq!(one.0, 1);
    let (_, out, _) = run("2", Some("2026-11"));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let files = v["files"].as_array().unwrap();
    assert_eq!(files[0]["outside_period"], 3_000);
    assert_eq!(files[1]["used"], 3_000);
    for t in v["totals"].as_array().unwrap() {
        let cur = t["currency"].as_str().unwrap();
        assert_eq!(
            t["money"]["billed"].as_str().unwrap(),
            exact_money(tb.by_currency[cur].billed)
        );
    }
}

#[cfg(not(feature = "parquet"))]
#[test]
fn parquet_without_the_feature_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.parquet");
    std::fs::write(&p, b"PAR1\0\0\0\0PAR1").unwrap();
    assert!(matches!(
        read_export(&p, None),
        Err(ExportError::ParquetDisabled { .. })
    ));
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_totals_reconcile_exactly() {
    let dir = tempfile::tempdir().unwrap();
    for format in [ExportFormat::Focus, ExportFormat::Cur] {
        let p = dir.path().join(format!("{format:?}.parquet"));
        let spec = two_currency_spec(format, 20_000, 21);
        let want = scpsim::billing::generate::write_parquet(&spec, &p).unwrap();
        let r = read_export(&p, None).unwrap();
        assert_eq!(r.container, scpsim::billing::read::Container::Parquet);
        assert_eq!((r.rows, r.malformed), (20_000, 0));
        let got: BTreeMap<String, Money> = r
            .aggregate
            .totals()
            .into_iter()
            .map(|(c, s)| (c, s.all))
            .collect();
        assert_eq!(got, want.by_currency, "{format:?}");
    }
    let _ = ExportError::ParquetDisabled {
        file: String::new(),
    };
}
