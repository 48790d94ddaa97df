//! The policy as the API serves it: versions of a structured document (sections → clauses →
//! blocks → spans) and the per-clause diff between two versions. The server parses the
//! Markdown once; the SPA only ever renders text nodes, so a policy file cannot inject markup.
use serde::{Deserialize, Serialize};

use crate::lang::truncate;
use crate::{ApiError, ErrorCode, Lang};

/// A run of text with one formatting.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Span {
    pub text: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub strong: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub emphasis: bool,
    /// Only `https:`, `http:`, `mailto:` or `#fragment` targets survive parsing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Span {
    pub fn plain(text: impl Into<String>) -> Self {
        Span {
            text: text.into(),
            ..Span::default()
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Paragraph { spans: Vec<Span> },
    List { items: Vec<Vec<Span>> },
}

impl Block {
    pub fn plain_text(&self) -> String {
        match self {
            Block::Paragraph { spans } => spans_text(spans),
            Block::List { items } => items
                .iter()
                .map(|i| spans_text(i))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }
}

pub fn spans_text(spans: &[Span]) -> String {
    spans.iter().map(|s| s.text.as_str()).collect()
}

/// A numbered clause ("6.4") or an unnumbered part with a heading ("Cookies").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Clause {
    /// The anchor: the number for numbered clauses (`/policy#6.4`), a slug otherwise.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heading: Option<String>,
    pub blocks: Vec<Block>,
}

impl Clause {
    /// What a reader calls the clause: its number, or its heading.
    pub fn label(&self) -> &str {
        self.number
            .as_deref()
            .or(self.heading.as_deref())
            .unwrap_or(&self.id)
    }

    pub fn plain_text(&self) -> String {
        self.blocks
            .iter()
            .map(Block::plain_text)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct Section {
    pub number: u32,
    pub title: String,
    pub clauses: Vec<Clause>,
}

impl Section {
    pub fn anchor(&self) -> String {
        format!("section-{}", self.number)
    }

    /// "6. Cookie files": how the contents, the text and search name the section.
    pub fn heading(&self) -> String {
        format!("{}. {}", self.number, self.title)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PolicyDocument {
    pub title: String,
    /// Text before section 1; translations say there that the Russian text prevails.
    #[serde(default)]
    pub preamble: Vec<Block>,
    pub sections: Vec<Section>,
}

impl PolicyDocument {
    pub fn clause(&self, id: &str) -> Option<&Clause> {
        self.sections
            .iter()
            .flat_map(|s| &s.clauses)
            .find(|c| c.id == id)
    }
}

/// One published version, without its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct VersionSummary {
    pub lang: Lang,
    pub version: u32,
    /// RFC 3339, UTC. Publication is effective immediately (clause 8.4).
    pub effective_at: String,
    pub content_hash: String,
}

/// `GET /api/policy/{lang}` and `GET /api/policy/{lang}/versions/{n}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PolicyVersion {
    #[serde(flatten)]
    pub summary: VersionSummary,
    /// The language asked for; differs from `summary.lang` when it had no version yet and the
    /// Russian text is shown instead.
    pub requested_lang: Lang,
    /// Current version only: a translation whose Russian original was published again since.
    /// (A numbered version's response never changes, so it carries nothing that can.)
    #[serde(default)]
    pub original_newer: bool,
    pub document: PolicyDocument,
}

impl PolicyVersion {
    pub fn is_fallback(&self) -> bool {
        self.requested_lang != self.summary.lang
    }
}

/// `GET /api/policy/{lang}/versions`, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PolicyVersionList {
    pub lang: Lang,
    pub requested_lang: Lang,
    pub versions: Vec<VersionSummary>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Equal,
    Insert,
    Delete,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct DiffSegment {
    pub kind: ChangeKind,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClauseStatus {
    Unchanged,
    Changed,
    Added,
    Removed,
}

/// What a unit of the diff is: a section's title or a clause.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    SectionTitle,
    Clause,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct ClauseDiff {
    /// The clause's anchor, or `section-N` for a section title.
    pub id: String,
    pub kind: UnitKind,
    /// "6.4", "Cookies" or the section number.
    pub label: String,
    pub status: ClauseStatus,
    /// Word-level changes; for unchanged units a single `equal` segment.
    pub segments: Vec<DiffSegment>,
}

/// `GET /api/policy/{lang}/diff?from=N&to=M`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
pub struct PolicyDiff {
    pub lang: Lang,
    pub from: VersionSummary,
    pub to: VersionSummary,
    pub units: Vec<ClauseDiff>,
}

impl PolicyDiff {
    pub fn count(&self, status: ClauseStatus) -> usize {
        self.units
            .iter()
            .filter(|u| u.kind == UnitKind::Clause && u.status == status)
            .count()
    }
}

/// Largest version number accepted in URLs; far above anything real, far below overflow.
pub const MAX_VERSION: u32 = 1_000_000;

/// Validates a version number from a URL: a positive decimal integer.
pub fn parse_version(raw: &str, field: &str) -> Result<u32, ApiError> {
    let invalid = || {
        ApiError::new(
            ErrorCode::InvalidVersion,
            format!(
                "{field} must be a version number from 1 to {MAX_VERSION}, got {:?}",
                truncate(raw)
            ),
        )
        .with_field(field)
    };
    if raw.is_empty() || raw.len() > 7 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    match raw.parse::<u32>() {
        Ok(n) if (1..=MAX_VERSION).contains(&n) => Ok(n),
        _ => Err(invalid()),
    }
}

/// Two versions of one language to compare; `to: None` means the current one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DiffRequest {
    pub from: u32,
    pub to: Option<u32>,
}

impl DiffRequest {
    /// The rule for `?from=N&to=M` (the API) and for the SPA's compare page URL alike.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<DiffRequest, ApiError> {
        let from = match from {
            Some(raw) => parse_version(raw, "from").map_err(|e| ApiError {
                code: ErrorCode::InvalidDiff,
                ..e
            })?,
            None => {
                return Err(ApiError::new(
                    ErrorCode::InvalidDiff,
                    "the version to compare from is missing",
                )
                .with_field("from"))
            }
        };
        let to = match to {
            Some("") | None => None,
            Some(raw) => Some(parse_version(raw, "to").map_err(|e| ApiError {
                code: ErrorCode::InvalidDiff,
                ..e
            })?),
        };
        // The same version twice is a fair question: the answer is "nothing changed".
        Ok(DiffRequest { from, to })
    }

    /// What the compare form asks for: a valid request of two different versions. Comparing a
    /// version with itself is a fair question for the API ("nothing changed"), but not what
    /// someone picking two versions means to ask.
    pub fn choose(from: &str, to: &str) -> Result<DiffRequest, ApiError> {
        let request = DiffRequest::parse(Some(from), Some(to))?;
        if request.to == Some(request.from) {
            return Err(ApiError::new(
                ErrorCode::InvalidDiff,
                "choose two different versions to compare",
            )
            .with_field("to"));
        }
        Ok(request)
    }

    pub fn query(&self) -> String {
        match self.to {
            Some(to) => format!("from={}&to={to}", self.from),
            None => format!("from={}", self.from),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_numbers_are_positive_decimals() {
        assert_eq!(parse_version("3", "version"), Ok(3));
        for bad in ["", "0", "-1", "1.5", "abc", "99999999", " 2", "+2", "٣"] {
            let err = parse_version(bad, "version").unwrap_err();
            assert_eq!(err.code, ErrorCode::InvalidVersion, "{bad:?}");
            assert_eq!(err.field.as_deref(), Some("version"));
        }
    }

    #[test]
    fn diff_request_needs_from_and_valid_versions() {
        assert_eq!(
            DiffRequest::parse(Some("1"), Some("2")),
            Ok(DiffRequest {
                from: 1,
                to: Some(2)
            })
        );
        assert_eq!(
            DiffRequest::parse(Some("1"), None),
            Ok(DiffRequest { from: 1, to: None })
        );
        assert_eq!(
            DiffRequest::parse(None, Some("2"))
                .unwrap_err()
                .field
                .as_deref(),
            Some("from")
        );
        assert_eq!(
            DiffRequest::parse(Some("x"), None).unwrap_err().code,
            ErrorCode::InvalidDiff
        );
        assert_eq!(
            DiffRequest::parse(Some("2"), Some("2")),
            Ok(DiffRequest {
                from: 2,
                to: Some(2)
            }),
            "a version with itself: no change"
        );
        assert_eq!(
            DiffRequest::choose("2", "2").unwrap_err().field.as_deref(),
            Some("to"),
            "but the form wants two"
        );
        assert_eq!(
            DiffRequest::choose("1", "2"),
            Ok(DiffRequest {
                from: 1,
                to: Some(2)
            })
        );
        assert_eq!(
            DiffRequest::parse(Some("2"), Some("0"))
                .unwrap_err()
                .field
                .as_deref(),
            Some("to")
        );
    }

    #[test]
    fn documents_round_trip_through_json() {
        let doc = PolicyDocument {
            title: "T".into(),
            preamble: vec![],
            sections: vec![Section {
                number: 1,
                title: "S".into(),
                clauses: vec![Clause {
                    id: "1.1".into(),
                    number: Some("1.1".into()),
                    heading: None,
                    blocks: vec![
                        Block::Paragraph {
                            spans: vec![Span {
                                strong: true,
                                ..Span::plain("A")
                            }],
                        },
                        Block::List {
                            items: vec![vec![Span::plain("b")]],
                        },
                    ],
                }],
            }],
        };
        let json = serde_json::to_string(&doc).unwrap();
        assert_eq!(serde_json::from_str::<PolicyDocument>(&json).unwrap(), doc);
        assert_eq!(doc.clause("1.1").unwrap().plain_text(), "A\nb");
    }
}
