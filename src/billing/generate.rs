//! A generator of billing exports for tests, benches and demos, written to the published
//! column specifications (no third-party sample files):
//!
//! - FOCUS 1.x: the FinOps FOCUS specification's cost and usage columns
//!   (<https://focus.finops.org/focus-specification/>), with the AWS extension
//!   `x_ServiceCode` as AWS Data Exports writes it
//!   (<https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-0-aws.html>);
//! - legacy CUR: `identity/`, `bill/`, `lineItem/` and `product/` columns of the Cost and
//!   Usage Report data dictionary
//!   (<https://docs.aws.amazon.com/cur/latest/userguide/data-dictionary.html>).
//!
//! Rows are pseudo-random but reproducible from a seed; costs have 8 decimal places (as AWS
//! exports do) and every written cost is added exactly to the returned [`GenTotals`].

use std::collections::BTreeMap;
use std::io::{self, Write};

use rust_decimal::Decimal;

use super::Money;
use super::read::ExportFormat;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenSpec {
    /// FOCUS or CUR columns.
    pub format: ExportFormat,
    /// Data rows to write.
    pub rows: u64,
    /// Seed of the pseudo-random sequence.
    pub seed: u64,
    /// The charge month, `YYYY-MM`.
    pub month: String,
    /// Account ids, drawn uniformly.
    pub accounts: Vec<String>,
    /// Region codes, drawn uniformly (global services get `global`).
    pub regions: Vec<String>,
    /// Services: (CUR product code, FOCUS service name, global), drawn uniformly.
    pub services: Vec<(String, String, bool)>,
    /// Currencies, drawn uniformly.
    pub currencies: Vec<String>,
}

impl GenSpec {
    /// Rows for the example org (`fixtures/orgs/example`): its 14 accounts plus
    /// `999999999999`, which the org does not have; regions inside and outside its approved
    /// pair (eu-west-1, eu-central-1); EC2, S3, Lambda, Redshift, CloudWatch, CloudFront
    /// (global) and data transfer; US dollars.
    pub fn example_org(format: ExportFormat, rows: u64, seed: u64) -> GenSpec {
        let accounts = [
            "111111111111",
            "222222222201",
            "222222222202",
            "222222222211",
            "222222222212",
            "222222222213",
            "333333333301",
            "333333333302",
            "333333333303",
            "333333333304",
            "444444444401",
            "444444444402",
            "555555555501",
            "555555555502",
            "666666666601",
            "999999999999",
        ];
        let services = [
            ("AmazonEC2", "Amazon Elastic Compute Cloud", false),
            ("AmazonS3", "Amazon Simple Storage Service", false),
            ("AWSLambda", "AWS Lambda", false),
            ("AmazonRedshift", "Amazon Redshift", false),
            ("AmazonCloudWatch", "AmazonCloudWatch", false),
            ("AmazonCloudFront", "Amazon CloudFront", true),
            ("AWSDataTransfer", "AWS Data Transfer", false),
        ];
        GenSpec {
            format,
            rows,
            seed,
            month: "2026-10".to_string(),
            accounts: accounts.iter().map(|s| (*s).to_string()).collect(),
            regions: ["eu-west-1", "eu-central-1", "us-east-1", "ap-southeast-2"]
                .iter()
                .map(|s| (*s).to_string())
                .collect(),
            services: services
                .iter()
                .map(|(c, n, g)| ((*c).to_string(), (*n).to_string(), *g))
                .collect(),
            currencies: vec!["USD".to_string()],
        }
    }
}

/// The exact sums of what was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenTotals {
    /// Per currency, every row.
    pub by_currency: BTreeMap<String, Money>,
    /// Per (account, currency).
    pub by_account: BTreeMap<(String, String), Money>,
    /// Per (account, service code, region, currency), usage rows only.
    pub usage: BTreeMap<(String, String, String, String), Money>,
    /// Rows written.
    pub rows: u64,
}

/// SplitMix64: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One generated row, before formatting.
struct GenRow<'s> {
    account: &'s str,
    code: &'s str,
    name: &'s str,
    region: &'s str,
    category: &'static str,
    currency: &'s str,
    /// Cost in units of 1e-8.
    billed: i64,
    effective: i64,
    day: u32,
    hour: u32,
    quantity: u64,
}

fn gen_row<'s>(spec: &'s GenSpec, rng: &mut Rng) -> GenRow<'s> {
    let (code, name, global) = &spec.services[rng.below(spec.services.len())];
    let account = spec.accounts[rng.below(spec.accounts.len())].as_str();
    let region = if *global {
        "global"
    } else {
        spec.regions[rng.below(spec.regions.len())].as_str()
    };
    let currency = spec.currencies[rng.below(spec.currencies.len())].as_str();
    let roll = rng.below(100);
    let category = match roll {
        0..90 => "Usage",
        90..95 => "Tax",
        _ => "Credit",
    };
    let mut billed = (rng.next() % 2_000_000_000) as i64;
    if category == "Credit" {
        billed = -billed / 10;
    }
    let effective = billed - billed / 10;
    GenRow {
        account,
        code,
        name,
        region,
        category,
        currency,
        billed,
        effective,
        day: 1 + rng.below(28) as u32,
        hour: rng.below(24) as u32,
        quantity: rng.next() % 10_000,
    }
}

/// `v` units of 1e-8 as a decimal string (`-12.34500000`).
fn fmt8(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    format!("{sign}{}.{:08}", a / 100_000_000, a % 100_000_000)
}

fn add(t: &mut GenTotals, r: &GenRow<'_>, effective_is_billed: bool) {
    let m = Money {
        billed: Decimal::new(r.billed, 8),
        effective: Decimal::new(
            if effective_is_billed {
                r.billed
            } else {
                r.effective
            },
            8,
        ),
    };
    t.by_currency
        .entry(r.currency.to_string())
        .or_default()
        .add(&m);
    t.by_account
        .entry((r.account.to_string(), r.currency.to_string()))
        .or_default()
        .add(&m);
    if r.category == "Usage" {
        t.usage
            .entry((
                r.account.to_string(),
                r.code.to_string(),
                r.region.to_string(),
                r.currency.to_string(),
            ))
            .or_default()
            .add(&m);
    }
    t.rows += 1;
}

/// The FOCUS columns written, in order.
pub const FOCUS_COLUMNS: &[&str] = &[
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "InvoiceIssuerName",
    "RegionId",
    "ResourceId",
    "ServiceCategory",
    "ServiceName",
    "SubAccountId",
    "SubAccountName",
    "x_ServiceCode",
];

/// The CUR columns written, in order.
pub const CUR_COLUMNS: &[&str] = &[
    "identity/LineItemId",
    "identity/TimeInterval",
    "bill/PayerAccountId",
    "bill/BillingPeriodStartDate",
    "bill/BillingPeriodEndDate",
    "lineItem/UsageAccountId",
    "lineItem/LineItemType",
    "lineItem/UsageStartDate",
    "lineItem/UsageEndDate",
    "lineItem/ProductCode",
    "lineItem/UsageType",
    "lineItem/Operation",
    "lineItem/UsageAmount",
    "lineItem/CurrencyCode",
    "lineItem/UnblendedCost",
    "lineItem/BlendedCost",
    "lineItem/LineItemDescription",
    "product/ProductName",
    "product/region",
];

fn next_month(month: &str) -> String {
    let (y, m) = month.split_once('-').unwrap_or(("2026", "10"));
    let (y, m): (u32, u32) = (y.parse().unwrap_or(2026), m.parse().unwrap_or(10));
    if m >= 12 {
        format!("{}-01", y + 1)
    } else {
        format!("{y}-{:02}", m + 1)
    }
}

/// Writes a CSV export (header and `spec.rows` rows) to `w` and returns the exact totals.
///
/// # Errors
///
/// The writer's I/O errors.
pub fn write_csv<W: Write>(spec: &GenSpec, w: W) -> io::Result<GenTotals> {
    let mut w = io::BufWriter::with_capacity(1 << 17, w);
    let mut rng = Rng(spec.seed);
    let mut totals = GenTotals::default();
    let start = format!("{}-01T00:00:00Z", spec.month);
    let end = format!("{}-01T00:00:00Z", next_month(&spec.month));
    let payer = spec.accounts.first().map_or("111111111111", String::as_str);
    match spec.format {
        ExportFormat::Focus => writeln!(w, "{}", FOCUS_COLUMNS.join(","))?,
        ExportFormat::Cur => writeln!(w, "{}", CUR_COLUMNS.join(","))?,
    }
    for i in 0..spec.rows {
        let r = gen_row(spec, &mut rng);
        let at = format!("{}-{:02}T{:02}:00:00Z", spec.month, r.day, r.hour);
        let until = format!("{}-{:02}T{:02}:59:59Z", spec.month, r.day, r.hour);
        let billed = fmt8(r.billed);
        match spec.format {
            ExportFormat::Focus => {
                let effective = fmt8(r.effective);
                writeln!(
                    w,
                    "{payer},Example Payer,{cur},{start},{end},{cat},,\"{name}, {cat} in {region}\",Usage-Based,{at},{until},{billed},{effective},{billed},{billed},{q},Hours,AWS,AWS,\"Amazon Web Services, Inc.\",{region},i-{i:016x},Compute,{name},{acct},account-{acct},{code}",
                    cur = r.currency,
                    cat = r.category,
                    name = r.name,
                    region = r.region,
                    q = r.quantity,
                    acct = r.account,
                    code = r.code,
                )?;
                add(&mut totals, &r, false);
            }
            ExportFormat::Cur => {
                let lt = match r.category {
                    "Usage" => "Usage",
                    "Tax" => "Tax",
                    _ => "Credit",
                };
                writeln!(
                    w,
                    "li{i:012x},{at}/{until},{payer},{start},{end},{acct},{lt},{at},{until},{code},USE1-BoxUsage,RunInstances,{q},{cur},{billed},{billed},\"{name}, {lt}\",{name},{region}",
                    acct = r.account,
                    code = r.code,
                    q = r.quantity,
                    cur = r.currency,
                    name = r.name,
                    region = r.region,
                )?;
                add(&mut totals, &r, true);
            }
        }
    }
    w.flush()?;
    Ok(totals)
}

/// Writes a Parquet export (snappy pages; cost columns `Decimal128(38, 8)`, the others text)
/// to `path` and returns the exact totals.
///
/// # Errors
///
/// A message for I/O or Parquet writer errors.
#[cfg(feature = "parquet")]
pub fn write_parquet(spec: &GenSpec, path: &std::path::Path) -> Result<GenTotals, String> {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Decimal128Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;

    let (names, money_cols): (&[&str], &[&str]) = match spec.format {
        ExportFormat::Focus => (
            &[
                "SubAccountId",
                "ServiceName",
                "x_ServiceCode",
                "RegionId",
                "BilledCost",
                "EffectiveCost",
                "ChargePeriodStart",
                "ChargeCategory",
                "BillingCurrency",
            ],
            &["BilledCost", "EffectiveCost"],
        ),
        ExportFormat::Cur => (
            &[
                "lineItem/UsageAccountId",
                "lineItem/ProductCode",
                "product/region",
                "lineItem/UnblendedCost",
                "lineItem/UsageStartDate",
                "lineItem/LineItemType",
                "lineItem/CurrencyCode",
            ],
            &["lineItem/UnblendedCost"],
        ),
    };
    let schema = Arc::new(Schema::new(
        names
            .iter()
            .map(|n| {
                if money_cols.contains(n) {
                    Field::new(*n, DataType::Decimal128(38, 8), false)
                } else {
                    Field::new(*n, DataType::Utf8, true)
                }
            })
            .collect::<Vec<_>>(),
    ));
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .build();
    let mut writer =
        ArrowWriter::try_new(file, Arc::clone(&schema), Some(props)).map_err(|e| e.to_string())?;
    let mut rng = Rng(spec.seed);
    let mut totals = GenTotals::default();
    let mut left = spec.rows;
    while left > 0 {
        let n = left.min(8192);
        left -= n;
        let mut text: Vec<Vec<String>> = vec![Vec::new(); names.len()];
        let mut money: Vec<Vec<i128>> = vec![Vec::new(); names.len()];
        for _ in 0..n {
            let r = gen_row(spec, &mut rng);
            let at = format!("{}-{:02}T{:02}:00:00Z", spec.month, r.day, r.hour);
            let values: Vec<(String, i128)> = match spec.format {
                ExportFormat::Focus => vec![
                    (r.account.to_string(), 0),
                    (r.name.to_string(), 0),
                    (r.code.to_string(), 0),
                    (r.region.to_string(), 0),
                    (String::new(), i128::from(r.billed)),
                    (String::new(), i128::from(r.effective)),
                    (at, 0),
                    (r.category.to_string(), 0),
                    (r.currency.to_string(), 0),
                ],
                ExportFormat::Cur => vec![
                    (r.account.to_string(), 0),
                    (r.code.to_string(), 0),
                    (r.region.to_string(), 0),
                    (String::new(), i128::from(r.billed)),
                    (at, 0),
                    (r.category.to_string(), 0),
                    (r.currency.to_string(), 0),
                ],
            };
            for (i, (t, m)) in values.into_iter().enumerate() {
                if money_cols.contains(&names[i]) {
                    money[i].push(m);
                } else {
                    text[i].push(t);
                }
            }
            add(&mut totals, &r, spec.format == ExportFormat::Cur);
        }
        let columns: Result<Vec<ArrayRef>, String> = names
            .iter()
            .enumerate()
            .map(|(i, name)| -> Result<ArrayRef, String> {
                if money_cols.contains(name) {
                    let a = Decimal128Array::from(std::mem::take(&mut money[i]))
                        .with_precision_and_scale(38, 8)
                        .map_err(|e| e.to_string())?;
                    Ok(Arc::new(a))
                } else {
                    Ok(Arc::new(StringArray::from(std::mem::take(&mut text[i]))))
                }
            })
            .collect();
        let batch =
            RecordBatch::try_new(Arc::clone(&schema), columns?).map_err(|e| e.to_string())?;
        writer.write(&batch).map_err(|e| e.to_string())?;
    }
    writer.close().map_err(|e| e.to_string())?;
    Ok(totals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_bytes_and_totals_match_rows() {
        let spec = GenSpec::example_org(ExportFormat::Focus, 200, 7);
        let mut a = Vec::new();
        let ta = write_csv(&spec, &mut a).unwrap();
        let mut b = Vec::new();
        let tb = write_csv(&spec, &mut b).unwrap();
        assert_eq!(a, b);
        assert_eq!(ta, tb);
        assert_eq!(ta.rows, 200);
        assert_eq!(String::from_utf8(a).unwrap().lines().count(), 201);
        assert_eq!(fmt8(-1), "-0.00000001");
        assert_eq!(fmt8(123_456_789_012), "1234.56789012");
        assert_eq!(next_month("2026-12"), "2027-01");
    }
}
