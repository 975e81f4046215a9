//! Findings: what every check of scpsim reports, with a severity, a message and a located,
//! labelled span. A [`Finding`] implements [`miette::Diagnostic`], so human output has one code
//! path, and it carries its own [`SourceFile`], so it can be rendered from any thread.

use std::fmt;
use std::sync::Arc;

use miette::{LabeledSpan, MietteSpanContents, SourceCode, SpanContents};
use serde::{Deserialize, Serialize};

use crate::source::{LineCol, SourceFile, Span};

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run unless `--fail-on info`.
    Info,
    /// Probably a mistake, or a risk, but AWS accepts the policy.
    Warning,
    /// AWS rejects the policy, or it cannot mean what it says.
    Error,
}

impl Severity {
    /// The lowercase name used in every output format (`error`, `warning`, `info`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary label: another place in the same file that explains the finding (for example
/// the first occurrence of a duplicated key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where the label points.
    pub span: Span,
    /// Text shown under the span.
    pub message: String,
}

/// One problem found in one file.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Rule id, kebab-case (`json-syntax`, `invalid-effect`, ...).
    pub rule: &'static str,
    /// Severity after configuration.
    pub severity: Severity,
    /// One-line message: lowercase start, no final period, user input in backticks.
    pub message: String,
    /// Text shown under the primary span.
    pub label: String,
    /// The primary span.
    pub span: Span,
    /// JSON Pointer (RFC 6901) of the element the finding is about; `""` for the whole document.
    pub pointer: String,
    /// Advice on how to fix it.
    pub help: Option<String>,
    /// Further labelled places in the same file.
    pub related: Vec<Label>,
    /// Context printed after the help (for example how the policy kind was chosen).
    pub note: Option<String>,
    /// The file the spans point into.
    pub source: Arc<SourceFile>,
}

impl Finding {
    /// Line and column (1-based) of the start of the primary span.
    pub fn location(&self) -> LineCol {
        self.source.line_col(self.span.start)
    }

    /// Line and column (1-based) of the end of the primary span.
    pub fn end_location(&self) -> LineCol {
        self.source.line_col(self.span.end)
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Finding {}

impl miette::Diagnostic for Finding {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Info => miette::Severity::Advice,
            Severity::Warning => miette::Severity::Warning,
            Severity::Error => miette::Severity::Error,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        match (&self.help, &self.note) {
            (Some(h), Some(n)) => Some(Box::new(format!("{h}\nnote: {n}"))),
            (Some(h), None) => Some(Box::new(h)),
            (None, Some(n)) => Some(Box::new(n)),
            (None, None) => None,
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&*self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(Some(self.label.clone()), self.span);
        let rest = self
            .related
            .iter()
            .map(|l| LabeledSpan::new_with_span(Some(l.message.clone()), l.span));
        Some(Box::new(std::iter::once(primary).chain(rest)))
    }
}

impl SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self
            .text()
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name().to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// The known name closest to `want`, for a "did you mean" hint: compared without ASCII case
/// by Damerau-Levenshtein distance, accepted up to a quarter of `want`'s length (at least 1,
/// at most 3) when it is also less than half the candidate's length. Ties go to the first candidate in
/// sorted order, so the hint is deterministic. `None` when nothing is that close.
pub fn closest<'a>(want: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = want.to_ascii_lowercase();
    let max = (want.chars().count() / 4).clamp(1, 3);
    known
        .into_iter()
        .map(|k| (strsim::damerau_levenshtein(&w, &k.to_ascii_lowercase()), k))
        .filter(|(d, k)| *d <= max && (*d == 0 || *d * 2 < k.chars().count()))
        .min()
        .map(|(_, k)| k)
}

/// Sorts findings into the one order every output uses: file name, then position, then rule id,
/// then message. Output built from the sorted list is deterministic.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (
            a.source.name(),
            a.span.start,
            a.span.end,
            a.rule,
            &a.message,
        )
            .cmp(&(
                b.source.name(),
                b.span.start,
                b.span.end,
                b.rule,
                &b.message,
            ))
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn closest_finds_typos_and_case_slips_only() {
        let regions = ["eu-central-1", "eu-west-1", "eu-west-2", "us-east-1"];
        assert_eq!(super::closest("EU-WEST-1", regions), Some("eu-west-1"));
        assert_eq!(super::closest("eu-wst-1", regions), Some("eu-west-1"));
        assert_eq!(super::closest("us-eats-1", regions), Some("us-east-1"));
        assert_eq!(super::closest("ap-south-1", regions), None);
        assert_eq!(
            super::closest("Prodd", ["Dev", "Prod", "Sandbox"]),
            Some("Prod")
        );
        assert_eq!(super::closest("x", ["y", "Prod"]), None);
        assert_eq!(super::closest("anything", std::iter::empty()), None);
    }
}
