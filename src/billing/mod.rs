//! Billing exports rolled up the organization tree (`scpsim costs`), and spend that the
//! guardrails now deny.
//!
//! In an AWS Organization every member account's charges roll up to the management account
//! (consolidated billing,
//! <https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/consolidated-billing.html>).
//! This module reads cost exports, sums their costs per account, service, region and currency,
//! and rolls the sums up the org tree:
//!
//! - [`read`]: format detection and streaming readers. FOCUS 1.x exports (columns
//!   `SubAccountId`, `ServiceName`, `RegionId`, `BilledCost`, `EffectiveCost`,
//!   `ChargePeriodStart`, `ChargeCategory`, `BillingCurrency`;
//!   <https://focus.finops.org/focus-specification/>) and the legacy Cost and Usage Report
//!   (`lineItem/UsageAccountId`, `lineItem/ProductCode`, `product/region` or
//!   `product/regionCode`, `lineItem/UnblendedCost`, `lineItem/UsageStartDate`,
//!   `lineItem/LineItemType`, `lineItem/CurrencyCode`;
//!   <https://docs.aws.amazon.com/cur/latest/userguide/data-dictionary.html>), as CSV, gzip CSV
//!   or (feature `parquet`) Parquet. Rows are streamed: memory grows with the number of
//!   distinct (account, service, region, currency) keys, never with the file.
//! - [`rollup`]: per OU (with subtotals of nested OUs), account, service and region.
//! - [`guardrails`]: for each (account, service, region) with usage spend, whether the org's
//!   SCPs still allow the service there.
//! - [`generate`]: a generator of FOCUS and CUR exports for tests and benches.
//!
//! Money is exact ([`rust_decimal::Decimal`], 28 significant digits), never `f64`; sums are
//! kept per currency and different currencies are never added together.

pub mod generate;
pub mod guardrails;
pub mod read;
pub mod rollup;

use std::collections::HashMap;
use std::sync::OnceLock;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::catalog::DataSource;

const BILLING_SERVICES: &str = include_str!("../../data/aws/billing-services.json");
const CURRENCIES: &str = include_str!("../../data/aws/currencies.json");

/// Billed and effective cost of a set of rows, in one currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Money {
    /// Sum of `BilledCost` (FOCUS) or `lineItem/UnblendedCost` (CUR).
    pub billed: Decimal,
    /// Sum of `EffectiveCost` (FOCUS); for CUR the unblended cost again (the legacy report
    /// has no single amortized column).
    pub effective: Decimal,
}

impl Serialize for Money {
    /// `{"billed": "12.5", "effective": "11"}`: exact decimal strings (JSON numbers would
    /// lose digits in most readers).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Money", 2)?;
        st.serialize_field("billed", &exact_money(self.billed))?;
        st.serialize_field("effective", &exact_money(self.effective))?;
        st.end()
    }
}

impl Money {
    /// Adds another amount (same currency, which the caller guarantees).
    pub fn add(&mut self, o: &Money) {
        self.billed += o.billed;
        self.effective += o.effective;
    }
}

/// The sums of one aggregation key: all rows, and the usage rows among them (the charges the
/// guardrail check looks at: FOCUS `ChargeCategory` `Usage`; CUR `lineItem/LineItemType`
/// `Usage`, `DiscountedUsage` or `SavingsPlanCoveredUsage`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sums {
    /// Every row.
    pub all: Money,
    /// Usage rows only.
    pub usage: Money,
    /// Number of rows summed.
    pub rows: u64,
    /// Number of usage rows among them.
    pub usage_rows: u64,
}

impl Sums {
    /// Adds another key's sums.
    pub fn add(&mut self, o: &Sums) {
        self.all.add(&o.all);
        self.usage.add(&o.usage);
        self.rows += o.rows;
        self.usage_rows += o.usage_rows;
    }
}

/// What the rows are summed by: the account (`SubAccountId` / `lineItem/UsageAccountId`;
/// empty when the charge belongs to no account), the service as the file writes it
/// (`ServiceName` / `lineItem/ProductCode`), the service code when the file has one
/// (`x_ServiceCode` in AWS FOCUS exports, `lineItem/ProductCode` in CUR), the region
/// (`RegionId` / `product/region`; empty for charges without one) and the currency (ISO 4217).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Key {
    /// Account id, or empty.
    pub account: String,
    /// Service as written in the file.
    pub service: String,
    /// Service code, when the file has one (else empty).
    pub service_code: String,
    /// Region code, or empty.
    pub region: String,
    /// ISO 4217 currency code.
    pub currency: String,
}

/// Sums per key over one or more files, sorted by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aggregate {
    /// One entry per distinct key, sorted.
    pub entries: Vec<(Key, Sums)>,
}

impl Aggregate {
    /// Merges several aggregates (one per file) into one, sorted by key.
    pub fn merge<I: IntoIterator<Item = Aggregate>>(parts: I) -> Aggregate {
        let mut map: HashMap<Key, Sums> = HashMap::new();
        for p in parts {
            for (k, s) in p.entries {
                map.entry(k).or_default().add(&s);
            }
        }
        let mut entries: Vec<(Key, Sums)> = map.into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Aggregate { entries }
    }

    /// Total per currency, sorted by currency.
    pub fn totals(&self) -> Vec<(String, Sums)> {
        let mut map: std::collections::BTreeMap<String, Sums> = std::collections::BTreeMap::new();
        for (k, s) in &self.entries {
            map.entry(k.currency.clone()).or_default().add(s);
        }
        map.into_iter().collect()
    }
}

/// Formats an amount for people: rounded to 2 decimals, half away from zero (as invoices
/// round), with `,` between thousands: `1,234.50`, `-0.01`.
pub fn display_money(d: Decimal) -> String {
    let r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let s = format!("{:.2}", r.abs());
    let (int, frac) = s.split_once('.').unwrap_or((s.as_str(), "00"));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3 + 4);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if r.is_sign_negative() && !r.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}{grouped}.{frac}")
}

/// Formats an amount exactly, for CSV and JSON: every digit the sum has, trailing zeros
/// removed (`12.5`, `0.000001`).
pub fn exact_money(d: Decimal) -> String {
    d.normalize().to_string()
}

/// One row of `data/aws/billing-services.json`: a billing service and the IAM service prefix
/// whose actions create and run what it charges for.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct BillingService {
    /// CUR `lineItem/ProductCode` (`AmazonEC2`).
    pub code: String,
    /// FOCUS `ServiceName` values (`Amazon Elastic Compute Cloud`), current name first.
    pub names: Vec<String>,
    /// IAM service prefix (`ec2`), or `None` for charges without a service API of their own
    /// (data transfer, support plans).
    pub prefix: Option<String>,
}

/// The billing service table with its source.
#[derive(Debug, Clone, Deserialize)]
pub struct BillingServices {
    /// Where the table comes from and when it was checked.
    pub source: DataSource,
    /// The services, in file order.
    pub services: Vec<BillingService>,
}

impl BillingServices {
    /// The table embedded from `data/aws/billing-services.json`, parsed on first use.
    ///
    /// # Errors
    ///
    /// A message when the embedded file is corrupt (a broken build; a test rules it out).
    pub fn load() -> Result<&'static BillingServices, String> {
        static TABLE: OnceLock<Result<BillingServices, String>> = OnceLock::new();
        TABLE
            .get_or_init(|| {
                serde_json::from_str(BILLING_SERVICES)
                    .map_err(|e| format!("data/aws/billing-services.json: {e}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The service a code or name stands for, ignoring case: the code is tried first, then
    /// the name.
    pub fn lookup(&self, code: &str, name: &str) -> Option<&BillingService> {
        let by = |v: &str| {
            (!v.is_empty())
                .then(|| {
                    self.services.iter().find(|s| {
                        s.code.eq_ignore_ascii_case(v)
                            || s.names.iter().any(|n| n.eq_ignore_ascii_case(v))
                    })
                })
                .flatten()
        };
        by(code).or_else(|| by(name))
    }
}

#[derive(Deserialize)]
struct CurrencyFile {
    source: DataSource,
    currencies: Vec<String>,
}

/// The ISO 4217 currency codes a row may carry, from `data/aws/currencies.json`, sorted, and
/// the list's source.
///
/// # Errors
///
/// A message when the embedded file is corrupt.
pub fn currencies() -> Result<(&'static [String], &'static DataSource), String> {
    static LIST: OnceLock<Result<CurrencyFile, String>> = OnceLock::new();
    let f = LIST
        .get_or_init(|| {
            let mut f: CurrencyFile = serde_json::from_str(CURRENCIES)
                .map_err(|e| format!("data/aws/currencies.json: {e}"))?;
            f.currencies.sort();
            Ok(f)
        })
        .as_ref()
        .map_err(Clone::clone)?;
    Ok((&f.currencies, &f.source))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn money_display_rounds_and_groups() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        assert_eq!(display_money(d("1234567.891")), "1,234,567.89");
        assert_eq!(display_money(d("0.005")), "0.01");
        assert_eq!(display_money(d("-0.004")), "0.00");
        assert_eq!(display_money(d("-1000.5")), "-1,000.50");
        assert_eq!(display_money(d("999")), "999.00");
        assert_eq!(exact_money(d("12.500000")), "12.5");
    }

    #[test]
    fn service_table_loads_and_maps_both_spellings() {
        let t = BillingServices::load().unwrap();
        assert_eq!(
            t.lookup("AmazonEC2", "").unwrap().prefix.as_deref(),
            Some("ec2")
        );
        assert_eq!(
            t.lookup("", "amazon elastic compute cloud")
                .unwrap()
                .prefix
                .as_deref(),
            Some("ec2")
        );
        assert_eq!(
            t.lookup("AWSLambda", "").unwrap().prefix.as_deref(),
            Some("lambda")
        );
        assert!(t.lookup("NoSuchService", "No Such Service").is_none());
        assert!(t.source.checked.len() == 10);
    }

    #[test]
    fn every_prefix_is_in_the_catalog() {
        let t = BillingServices::load().unwrap();
        let c = crate::catalog::Catalog::load().unwrap();
        for s in &t.services {
            if let Some(p) = &s.prefix {
                assert!(c.service(p).is_some(), "{} -> {p} not in catalog", s.code);
            }
        }
    }

    #[test]
    fn currency_list_has_usd_and_no_junk() {
        let (list, src) = currencies().unwrap();
        assert!(list.binary_search(&"USD".to_string()).is_ok());
        assert!(list.binary_search(&"EUR".to_string()).is_ok());
        assert!(list.binary_search(&"XXX".to_string()).is_err());
        assert!(list.iter().all(|c| c.len() == 3));
        assert!(!src.urls.is_empty());
    }
}
