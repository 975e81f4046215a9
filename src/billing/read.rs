//! Reading one billing export: detect the container (CSV, gzip CSV, Parquet) from the first
//! bytes and the format (FOCUS, CUR) from the header, then stream the rows into per-key sums.
//!
//! A file whose header lacks a needed column is an [`ExportError`] located at line 1 with the
//! column's name. A row with a bad value (a cost that is not a decimal number, a currency that
//! is not an ISO 4217 code, a charge date that does not start with `YYYY-MM`, a wrong number of
//! fields) is skipped, counted in [`FileReport::malformed`], and the first
//! [`MAX_ROW_ERRORS`] are kept as [`RowError`]s with file, line and column name: no row is
//! dropped silently.

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Serialize;
use thiserror::Error;

use super::{Aggregate, Key, Money, Sums};

/// Row errors kept per file (the count is always exact).
pub const MAX_ROW_ERRORS: usize = 20;

/// The column layout of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// FinOps FOCUS 1.x (AWS Data Exports "FOCUS 1.0 with AWS columns").
    Focus,
    /// The legacy AWS Cost and Usage Report (`lineItem/...` columns).
    Cur,
}

impl ExportFormat {
    /// `FOCUS` or `CUR`.
    pub fn label(self) -> &'static str {
        match self {
            ExportFormat::Focus => "FOCUS",
            ExportFormat::Cur => "CUR",
        }
    }
}

/// How the rows are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Container {
    /// Plain CSV (RFC 4180).
    Csv,
    /// Gzip-compressed CSV (one or more gzip members).
    Gzip,
    /// Apache Parquet (feature `parquet`).
    Parquet,
}

/// A skipped row: where, which column, what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The file, as given.
    pub file: String,
    /// 1-based line of the row in a CSV file (the header is line 1); for Parquet, the 1-based
    /// row number counting the header as row 1 too, so both read alike.
    pub line: u64,
    /// The column name, or `(row)` when the row as a whole is wrong.
    pub column: String,
    /// What is wrong, with the value.
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: column `{}`: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// A file that cannot be read as an export at all.
#[derive(Debug, Clone, PartialEq, Eq, Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum ExportError {
    /// Opening or reading failed.
    #[error("cannot read `{file}`: {message}")]
    #[diagnostic(code(scpsim::costs::io))]
    Io {
        /// The file.
        file: String,
        /// The system's message.
        message: String,
    },
    /// The header is neither FOCUS nor CUR.
    #[error(
        "{file}:1: not a FOCUS or CUR export: the header has none of `BilledCost`, `SubAccountId`, `lineItem/UnblendedCost` (it starts `{start}`)"
    )]
    #[diagnostic(
        code(scpsim::costs::unknown_format),
        help(
            "export FOCUS 1.x or the legacy Cost and Usage Report from AWS Data Exports, as CSV, gzip CSV or Parquet"
        )
    )]
    UnknownFormat {
        /// The file.
        file: String,
        /// The first header fields.
        start: String,
    },
    /// A column the format needs is missing from the header.
    #[error("{file}:1: column `{column}`: missing from the {format} header")]
    #[diagnostic(
        code(scpsim::costs::missing_column),
        help("the header has {present} columns; a {format} export needs {needed}")
    )]
    MissingColumn {
        /// The file.
        file: String,
        /// FOCUS or CUR.
        format: &'static str,
        /// The missing column.
        column: String,
        /// How many columns the header has.
        present: usize,
        /// The needed columns, comma-separated.
        needed: String,
    },
    /// The CSV structure broke (not a row value: the reader cannot go on).
    #[error("{file}:{line}: {message}")]
    #[diagnostic(code(scpsim::costs::csv))]
    Csv {
        /// The file.
        file: String,
        /// The line where reading stopped.
        line: u64,
        /// The reader's message.
        message: String,
    },
    /// A Parquet file, and the build has no Parquet support.
    #[error("`{file}` is a Parquet file, and this scpsim was built without Parquet support")]
    #[diagnostic(
        code(scpsim::costs::parquet_disabled),
        help("rebuild with `cargo install scpsim --features parquet`, or export CSV")
    )]
    ParquetDisabled {
        /// The file.
        file: String,
    },
    /// The Parquet reader failed.
    #[error("{file}: {message}")]
    #[diagnostic(code(scpsim::costs::parquet))]
    Parquet {
        /// The file.
        file: String,
        /// The reader's message.
        message: String,
    },
}

/// What reading one file gave.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file, as given.
    pub file: String,
    /// FOCUS or CUR.
    pub format: ExportFormat,
    /// CSV, gzip or Parquet.
    pub container: Container,
    /// Data rows read (the header not counted).
    pub rows: u64,
    /// Rows summed (in the period).
    pub used: u64,
    /// Well-formed rows outside `--period`.
    pub outside_period: u64,
    /// Rows skipped because a value is malformed.
    pub malformed: u64,
    /// The first [`MAX_ROW_ERRORS`] malformed rows.
    pub errors: Vec<RowError>,
    /// The months (`YYYY-MM`) of the charge periods seen, sorted.
    pub months: Vec<String>,
    /// Set when the file has no currency column (a CUR without `lineItem/CurrencyCode`): the
    /// currency assumed for every row.
    pub assumed_currency: Option<String>,
    /// The sums per key.
    #[serde(skip)]
    pub aggregate: Aggregate,
}

/// Column positions of the fields we use.
#[derive(Debug, Clone)]
struct Columns {
    format: ExportFormat,
    account: usize,
    service: usize,
    code: Option<usize>,
    region: usize,
    billed: usize,
    effective: Option<usize>,
    date: usize,
    category: usize,
    currency: Option<usize>,
    /// Names by position, for row errors.
    names: Vec<String>,
}

const FOCUS_NEEDED: [&str; 8] = [
    "SubAccountId",
    "ServiceName",
    "RegionId",
    "BilledCost",
    "EffectiveCost",
    "ChargePeriodStart",
    "ChargeCategory",
    "BillingCurrency",
];

const CUR_NEEDED: [&str; 6] = [
    "lineItem/UsageAccountId",
    "lineItem/ProductCode",
    "product/region",
    "lineItem/UnblendedCost",
    "lineItem/UsageStartDate",
    "lineItem/LineItemType",
];

/// The currency of CUR files without `lineItem/CurrencyCode` (AWS bills in US dollars unless
/// the payer chose another currency, in which case the column is present).
const CUR_DEFAULT_CURRENCY: &str = "USD";

fn columns(file: &str, header: &[String]) -> Result<Columns, ExportError> {
    let find = |name: &str| header.iter().position(|h| h == name);
    let is_focus = ["BilledCost", "SubAccountId", "ChargePeriodStart"]
        .iter()
        .any(|c| find(c).is_some());
    let is_cur = header.iter().any(|h| h.starts_with("lineItem/"));
    let missing =
        |format: &'static str, column: &str, needed: &[&str]| ExportError::MissingColumn {
            file: file.to_string(),
            format,
            column: column.to_string(),
            present: header.len(),
            needed: needed.join(", "),
        };
    if is_focus {
        let need = |name: &str| find(name).ok_or_else(|| missing("FOCUS", name, &FOCUS_NEEDED));
        Ok(Columns {
            format: ExportFormat::Focus,
            account: need("SubAccountId")?,
            service: need("ServiceName")?,
            code: find("x_ServiceCode"),
            region: need("RegionId")?,
            billed: need("BilledCost")?,
            effective: Some(need("EffectiveCost")?),
            date: need("ChargePeriodStart")?,
            category: need("ChargeCategory")?,
            currency: Some(need("BillingCurrency")?),
            names: header.to_vec(),
        })
    } else if is_cur {
        let need = |name: &str| find(name).ok_or_else(|| missing("CUR", name, &CUR_NEEDED));
        let region = match find("product/regionCode") {
            Some(i) => i,
            None => need("product/region")?,
        };
        Ok(Columns {
            format: ExportFormat::Cur,
            account: need("lineItem/UsageAccountId")?,
            service: need("lineItem/ProductCode")?,
            code: None,
            region,
            billed: need("lineItem/UnblendedCost")?,
            effective: None,
            date: need("lineItem/UsageStartDate")?,
            category: need("lineItem/LineItemType")?,
            currency: find("lineItem/CurrencyCode"),
            names: header.to_vec(),
        })
    } else {
        let start: Vec<&str> = header.iter().take(4).map(String::as_str).collect();
        Err(ExportError::UnknownFormat {
            file: file.to_string(),
            start: start.join(","),
        })
    }
}

/// The fields of one row, as bytes borrowed from the reader.
struct Fields<'a> {
    account: &'a [u8],
    service: &'a [u8],
    code: &'a [u8],
    region: &'a [u8],
    billed: &'a [u8],
    effective: Option<&'a [u8]>,
    date: &'a [u8],
    category: &'a [u8],
    currency: Option<&'a [u8]>,
}

/// Streaming sums: one hash lookup per row on a reused key buffer; a key is allocated only
/// the first time it is seen.
struct Summer<'p> {
    file: String,
    cols: Columns,
    period: Option<&'p str>,
    currencies: &'static [String],
    index: HashMap<Vec<u8>, usize, foldhash::fast::RandomState>,
    entries: Vec<(Key, Sums)>,
    keybuf: Vec<u8>,
    last_currency: Vec<u8>,
    months: Vec<[u8; 7]>,
    report: FileReport,
}

fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

fn parse_decimal(b: &[u8]) -> Result<Decimal, String> {
    let s = std::str::from_utf8(trim(b)).map_err(|_| "not UTF-8".to_string())?;
    if s.is_empty() {
        return Err("empty; a cost is required".to_string());
    }
    let r = if s.contains(['e', 'E']) {
        Decimal::from_scientific(s)
    } else {
        Decimal::from_str(s)
    };
    r.map_err(|_| format!("`{s}` is not a decimal number"))
}

fn is_month(b: &[u8]) -> bool {
    b.len() >= 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && matches!(
            &b[5..7],
            b"01"
                | b"02"
                | b"03"
                | b"04"
                | b"05"
                | b"06"
                | b"07"
                | b"08"
                | b"09"
                | b"10"
                | b"11"
                | b"12"
        )
}

impl<'p> Summer<'p> {
    fn new(
        file: &str,
        cols: Columns,
        container: Container,
        period: Option<&'p str>,
    ) -> Result<Summer<'p>, ExportError> {
        let currencies = super::currencies()
            .map_err(|message| ExportError::Io {
                file: file.to_string(),
                message,
            })?
            .0;
        let assumed_currency = cols
            .currency
            .is_none()
            .then(|| CUR_DEFAULT_CURRENCY.to_string());
        Ok(Summer {
            file: file.to_string(),
            period,
            currencies,
            index: HashMap::default(),
            entries: Vec::new(),
            keybuf: Vec::with_capacity(128),
            last_currency: Vec::new(),
            months: Vec::new(),
            report: FileReport {
                file: file.to_string(),
                format: cols.format,
                container,
                rows: 0,
                used: 0,
                outside_period: 0,
                malformed: 0,
                errors: Vec::new(),
                months: Vec::new(),
                assumed_currency,
                aggregate: Aggregate::default(),
            },
            cols,
        })
    }

    fn bad(&mut self, line: u64, column: usize, message: String) {
        self.bad_named(line, self.cols.names[column].clone(), message);
    }

    fn bad_named(&mut self, line: u64, column: String, message: String) {
        self.report.malformed += 1;
        if self.report.errors.len() < MAX_ROW_ERRORS {
            self.report.errors.push(RowError {
                file: self.file.clone(),
                line,
                column,
                message,
            });
        }
    }

    /// Sums one row (or records why it is malformed).
    fn push(&mut self, f: &Fields<'_>, line: u64) {
        self.report.rows += 1;
        let billed = match parse_decimal(f.billed) {
            Ok(d) => d,
            Err(m) => return self.bad(line, self.cols.billed, m),
        };
        let effective = match (f.effective, self.cols.effective) {
            (Some(e), Some(col)) => match parse_decimal(e) {
                Ok(d) => d,
                Err(m) => return self.bad(line, col, m),
            },
            _ => billed,
        };
        let currency: &[u8] = match (f.currency, self.cols.currency) {
            (Some(c), Some(col)) => {
                let c = trim(c);
                if c != self.last_currency.as_slice() {
                    let ok = std::str::from_utf8(c).is_ok_and(|s| {
                        self.currencies
                            .binary_search_by(|x| x.as_str().cmp(s))
                            .is_ok()
                    });
                    if !ok {
                        let shown = String::from_utf8_lossy(c).into_owned();
                        let m = if shown.is_empty() {
                            "empty; a currency code is required".to_string()
                        } else {
                            format!("`{shown}` is not an ISO 4217 currency code")
                        };
                        return self.bad(line, col, m);
                    }
                    self.last_currency.clear();
                    self.last_currency.extend_from_slice(c);
                }
                c
            }
            _ => CUR_DEFAULT_CURRENCY.as_bytes(),
        };
        let date = trim(f.date);
        if !is_month(date) {
            let shown = String::from_utf8_lossy(date).into_owned();
            return self.bad(
                line,
                self.cols.date,
                format!("`{shown}` is not a date (YYYY-MM-DD...)"),
            );
        }
        let mut month = [0u8; 7];
        month.copy_from_slice(&date[..7]);
        if self.months.last() != Some(&month) && !self.months.contains(&month) {
            self.months.push(month);
        }
        if let Some(p) = self.period
            && p.as_bytes() != month
        {
            self.report.outside_period += 1;
            return;
        }
        let category = trim(f.category);
        let usage = match self.cols.format {
            ExportFormat::Focus => category.eq_ignore_ascii_case(b"Usage"),
            ExportFormat::Cur => matches!(
                category,
                b"Usage" | b"DiscountedUsage" | b"SavingsPlanCoveredUsage"
            ),
        };
        let (account, service, code, region) = (
            trim(f.account),
            trim(f.service),
            trim(f.code),
            trim(f.region),
        );
        self.keybuf.clear();
        for part in [account, service, code, region, currency] {
            self.keybuf.extend_from_slice(part);
            self.keybuf.push(0);
        }
        let i = match self.index.get(self.keybuf.as_slice()) {
            Some(&i) => i,
            None => {
                let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
                self.entries.push((
                    Key {
                        account: s(account),
                        service: s(service),
                        service_code: s(code),
                        region: s(region),
                        currency: s(currency),
                    },
                    Sums::default(),
                ));
                self.index
                    .insert(self.keybuf.clone(), self.entries.len() - 1);
                self.entries.len() - 1
            }
        };
        let sums = &mut self.entries[i].1;
        let m = Money { billed, effective };
        sums.all.add(&m);
        if usage {
            sums.usage.add(&m);
            sums.usage_rows += 1;
        }
        sums.rows += 1;
        self.report.used += 1;
    }

    fn finish(mut self) -> FileReport {
        let mut months: Vec<String> = self
            .months
            .iter()
            .map(|m| String::from_utf8_lossy(m).into_owned())
            .collect();
        months.sort();
        self.report.months = months;
        // Keys differing only in invalid UTF-8 could collide after lossy decoding: merge.
        self.report.aggregate = Aggregate::merge([Aggregate {
            entries: self.entries,
        }]);
        self.report
    }
}

/// Reads one export file and sums its rows; `period` (`YYYY-MM`) keeps only the rows whose
/// charge period starts in that month.
///
/// # Errors
///
/// [`ExportError`] when the file cannot be opened or read, is not a FOCUS or CUR export, lacks
/// a needed column, or is Parquet without the `parquet` feature. Malformed rows are not
/// errors: see [`FileReport::malformed`].
pub fn read_export(path: &Path, period: Option<&str>) -> Result<FileReport, ExportError> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| ExportError::Io {
        file: name.clone(),
        message: crate::lint::io_message(&e),
    };
    let mut file = File::open(path).map_err(io)?;
    let mut magic = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match file.read(&mut magic[got..]).map_err(io)? {
            0 => break,
            n => got += n,
        }
    }
    let head = &magic[..got];
    if head == b"PAR1" {
        return read_parquet(path, &name, period);
    }
    let file = File::open(path).map_err(io)?;
    let reader = BufReader::with_capacity(1 << 17, file);
    if head.starts_with(&[0x1f, 0x8b]) {
        read_csv(
            flate2::read::MultiGzDecoder::new(reader),
            &name,
            Container::Gzip,
            period,
        )
    } else {
        read_csv(reader, &name, Container::Csv, period)
    }
}

fn read_csv<R: Read>(
    reader: R,
    name: &str,
    container: Container,
    period: Option<&str>,
) -> Result<FileReport, ExportError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .buffer_capacity(1 << 17)
        .from_reader(reader);
    let csv_err = |e: &csv::Error| {
        let line = e.position().map_or(1, csv::Position::line);
        match e.kind() {
            csv::ErrorKind::Io(io) => ExportError::Io {
                file: name.to_string(),
                message: crate::lint::io_message(io),
            },
            _ => ExportError::Csv {
                file: name.to_string(),
                line,
                message: e.to_string(),
            },
        }
    };
    let header: Vec<String> = rdr
        .byte_headers()
        .map_err(|e| csv_err(&e))?
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let h = if i == 0 {
                h.strip_prefix(b"\xef\xbb\xbf").unwrap_or(h)
            } else {
                h
            };
            String::from_utf8_lossy(h.trim_ascii()).into_owned()
        })
        .collect();
    if header.iter().all(String::is_empty) {
        return Err(ExportError::UnknownFormat {
            file: name.to_string(),
            start: String::new(),
        });
    }
    let cols = columns(name, &header)?;
    let width = header.len();
    let mut s = Summer::new(name, cols, container, period)?;
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let line = rec.position().map_or(0, csv::Position::line);
                let c = &s.cols;
                let get = |i: usize| rec.get(i).unwrap_or_default();
                let f = Fields {
                    account: get(c.account),
                    service: get(c.service),
                    code: c.code.map_or(&[][..], get),
                    region: get(c.region),
                    billed: get(c.billed),
                    effective: c.effective.map(get),
                    date: get(c.date),
                    category: get(c.category),
                    currency: c.currency.map(get),
                };
                s.push(&f, line);
            }
            Err(e) => match e.kind() {
                csv::ErrorKind::UnequalLengths { pos, len, .. } => {
                    let line = pos.as_ref().map_or(0, csv::Position::line);
                    s.report.rows += 1;
                    s.bad_named(
                        line,
                        "(row)".to_string(),
                        format!("the row has {len} fields, the header has {width}"),
                    );
                }
                _ => return Err(csv_err(&e)),
            },
        }
    }
    Ok(s.finish())
}

#[cfg(not(feature = "parquet"))]
fn read_parquet(_: &Path, name: &str, _: Option<&str>) -> Result<FileReport, ExportError> {
    Err(ExportError::ParquetDisabled {
        file: name.to_string(),
    })
}

#[cfg(feature = "parquet")]
fn read_parquet(path: &Path, name: &str, period: Option<&str>) -> Result<FileReport, ExportError> {
    use arrow_array::{Array, StringArray};
    use arrow_schema::DataType;
    use parquet::arrow::ProjectionMask;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let perr = |m: String| ExportError::Parquet {
        file: name.to_string(),
        message: m,
    };
    let file = File::open(path).map_err(|e| ExportError::Io {
        file: name.to_string(),
        message: crate::lint::io_message(&e),
    })?;
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| perr(e.to_string()))?;
    let header: Vec<String> = builder
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let cols = columns(name, &header)?;
    let mut wanted: Vec<usize> = [
        Some(cols.account),
        Some(cols.service),
        cols.code,
        Some(cols.region),
        Some(cols.billed),
        cols.effective,
        Some(cols.date),
        Some(cols.category),
        cols.currency,
    ]
    .into_iter()
    .flatten()
    .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mask = ProjectionMask::roots(builder.parquet_schema(), wanted.iter().copied());
    let reader = builder
        .with_projection(mask)
        .with_batch_size(8192)
        .build()
        .map_err(|e| perr(e.to_string()))?;
    let mut s = Summer::new(name, cols.clone(), Container::Parquet, period)?;
    let mut line = 1u64;
    for batch in reader {
        let batch = batch.map_err(|e| perr(e.to_string()))?;
        // Every needed column as text (decimals and timestamps print exactly).
        let text = |i: usize| -> Result<StringArray, ExportError> {
            let col_name = &header[i];
            let col = batch
                .column_by_name(col_name)
                .ok_or_else(|| perr(format!("column `{col_name}` missing from a row group")))?;
            let cast = arrow_cast::cast(col, &DataType::Utf8)
                .map_err(|e| perr(format!("column `{col_name}`: {e}")))?;
            cast.as_any()
                .downcast_ref::<StringArray>()
                .cloned()
                .ok_or_else(|| perr(format!("column `{col_name}`: not text after casting")))
        };
        let opt = |i: Option<usize>| i.map(text).transpose();
        let (account, service, code, region, billed, effective, date, category, currency) = (
            text(cols.account)?,
            text(cols.service)?,
            opt(cols.code)?,
            text(cols.region)?,
            text(cols.billed)?,
            opt(cols.effective)?,
            text(cols.date)?,
            text(cols.category)?,
            opt(cols.currency)?,
        );
        fn v(a: &StringArray, r: usize) -> &[u8] {
            if a.is_null(r) {
                &[]
            } else {
                a.value(r).as_bytes()
            }
        }
        for r in 0..batch.num_rows() {
            line += 1;
            let f = Fields {
                account: v(&account, r),
                service: v(&service, r),
                code: code.as_ref().map_or(&[][..], |a| v(a, r)),
                region: v(&region, r),
                billed: v(&billed, r),
                effective: effective.as_ref().map(|a| v(a, r)),
                date: v(&date, r),
                category: v(&category, r),
                currency: currency.as_ref().map(|a| v(a, r)),
            };
            s.push(&f, line);
        }
    }
    Ok(s.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    const FOCUS_HEADER: &str = "SubAccountId,ServiceName,RegionId,BilledCost,EffectiveCost,ChargePeriodStart,ChargeCategory,BillingCurrency\n";

    #[test]
    fn sums_focus_rows_per_key() {
        let f = write(&format!(
            "{FOCUS_HEADER}111111111111,AWS Lambda,us-east-1,1.10,1.00,2026-10-01T00:00:00Z,Usage,USD\n\
             111111111111,AWS Lambda,us-east-1,2.2,2,2026-10-02T00:00:00Z,Tax,USD\n\
             111111111111,AWS Lambda,us-east-1,5,5,2026-10-02T00:00:00Z,Usage,EUR\n"
        ));
        let r = read_export(f.path(), None).unwrap();
        assert_eq!(r.format, ExportFormat::Focus);
        assert_eq!(r.rows, 3);
        assert_eq!(r.used, 3);
        assert_eq!(r.aggregate.entries.len(), 2);
        let usd = &r.aggregate.entries[1];
        assert_eq!(usd.0.currency, "USD");
        assert_eq!(usd.1.all.billed.to_string(), "3.30");
        assert_eq!(usd.1.usage.billed.to_string(), "1.10");
        assert_eq!(usd.1.all.effective.to_string(), "3.00");
        assert_eq!(r.months, vec!["2026-10"]);
    }

    #[test]
    fn malformed_rows_are_located_and_counted() {
        let f = write(&format!(
            "{FOCUS_HEADER}111111111111,AWS Lambda,us-east-1,abc,1,2026-10-01,Usage,USD\n\
             111111111111,AWS Lambda,us-east-1,1,1,2026-10-01,Usage,XYZ\n\
             111111111111,AWS Lambda,us-east-1,1,1,2026-10-01\n\
             111111111111,AWS Lambda,us-east-1,1,1,yesterday,Usage,USD\n\
             111111111111,AWS Lambda,us-east-1,1,1,2026-10-01,Usage,USD\n"
        ));
        let r = read_export(f.path(), None).unwrap();
        assert_eq!(r.rows, 5);
        assert_eq!(r.malformed, 4);
        assert_eq!(r.used, 1);
        let cols: Vec<(u64, &str)> = r
            .errors
            .iter()
            .map(|e| (e.line, e.column.as_str()))
            .collect();
        assert_eq!(
            cols,
            vec![
                (2, "BilledCost"),
                (3, "BillingCurrency"),
                (4, "(row)"),
                (5, "ChargePeriodStart")
            ]
        );
        assert!(
            r.errors[0]
                .to_string()
                .contains(":2: column `BilledCost`: `abc`")
        );
    }

    #[test]
    fn missing_column_is_a_located_file_error() {
        let f = write("SubAccountId,ServiceName,BilledCost\n1,2,3\n");
        let e = read_export(f.path(), None).unwrap_err();
        assert!(
            matches!(&e, ExportError::MissingColumn { column, .. } if column == "RegionId"),
            "{e}"
        );
        assert!(e.to_string().contains(":1: column `RegionId`"));
        let g = write("a,b,c\n1,2,3\n");
        assert!(matches!(
            read_export(g.path(), None),
            Err(ExportError::UnknownFormat { .. })
        ));
    }

    #[test]
    fn period_filter_counts_the_rest() {
        let f = write(&format!(
            "{FOCUS_HEADER}1,S,r,1,1,2026-10-01,Usage,USD\n1,S,r,2,2,2026-09-30,Usage,USD\n"
        ));
        let r = read_export(f.path(), Some("2026-10")).unwrap();
        assert_eq!((r.used, r.outside_period), (1, 1));
        assert_eq!(r.months, vec!["2026-09", "2026-10"]);
    }

    #[test]
    fn cur_with_region_code_and_scientific_cost() {
        let f = write(
            "lineItem/UsageAccountId,lineItem/ProductCode,product/region,product/regionCode,lineItem/UnblendedCost,lineItem/UsageStartDate,lineItem/LineItemType\n\
             1,AmazonEC2,US East,us-east-1,1.5E-3,2026-10-01T00:00:00Z,Usage\n",
        );
        let r = read_export(f.path(), None).unwrap();
        assert_eq!(r.format, ExportFormat::Cur);
        assert_eq!(r.assumed_currency.as_deref(), Some("USD"));
        let (k, s) = &r.aggregate.entries[0];
        assert_eq!(k.region, "us-east-1");
        assert_eq!(s.all.billed.to_string(), "0.0015");
        assert_eq!(s.usage.effective, s.all.billed);
    }

    #[test]
    fn gzip_is_detected_from_the_bytes() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(format!("{FOCUS_HEADER}1,S,r,1.25,1,2026-10-01,Usage,USD\n").as_bytes())
            .unwrap();
        let bytes = gz.finish().unwrap();
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(&bytes).unwrap();
        let r = read_export(f.path(), None).unwrap();
        assert_eq!(r.container, Container::Gzip);
        assert_eq!(r.aggregate.entries[0].1.all.billed.to_string(), "1.25");
    }
}
