//! The difference between two versions of the policy, clause by clause, word by word.
use fk_api::policy::{ChangeKind, ClauseDiff, ClauseStatus, DiffSegment, PolicyDocument, UnitKind};
use similar::{capture_diff_slices, Algorithm, ChangeTag, DiffOp, TextDiff};

/// What is compared: each section title and each clause, in reading order.
struct Unit {
    id: String,
    kind: UnitKind,
    label: String,
    text: String,
}

fn units(doc: &PolicyDocument) -> Vec<Unit> {
    let mut out = Vec::new();
    for section in &doc.sections {
        out.push(Unit {
            id: section.anchor(),
            kind: UnitKind::SectionTitle,
            label: section.number.to_string(),
            text: section.title.clone(),
        });
        for clause in &section.clauses {
            out.push(Unit {
                id: clause.id.clone(),
                kind: UnitKind::Clause,
                label: clause.label().to_string(),
                text: clause.plain_text(),
            });
        }
    }
    out
}

pub fn diff(old: &PolicyDocument, new: &PolicyDocument) -> Vec<ClauseDiff> {
    let (old, new) = (units(old), units(new));
    let old_ids: Vec<&str> = old.iter().map(|u| u.id.as_str()).collect();
    let new_ids: Vec<&str> = new.iter().map(|u| u.id.as_str()).collect();
    let whole = |unit: &Unit, status: ClauseStatus, kind: ChangeKind| ClauseDiff {
        id: unit.id.clone(),
        kind: unit.kind,
        label: unit.label.clone(),
        status,
        segments: vec![DiffSegment {
            kind,
            text: unit.text.clone(),
        }],
    };
    let mut out = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &old_ids, &new_ids) {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                for i in 0..len {
                    let (a, b) = (&old[old_index + i], &new[new_index + i]);
                    if a.text == b.text {
                        out.push(whole(b, ClauseStatus::Unchanged, ChangeKind::Equal));
                    } else {
                        out.push(ClauseDiff {
                            id: b.id.clone(),
                            kind: b.kind,
                            label: b.label.clone(),
                            status: ClauseStatus::Changed,
                            segments: words(&a.text, &b.text),
                        });
                    }
                }
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => {
                out.extend(
                    old[old_index..old_index + old_len]
                        .iter()
                        .map(|u| whole(u, ClauseStatus::Removed, ChangeKind::Delete)),
                );
            }
            DiffOp::Insert {
                new_index, new_len, ..
            } => {
                out.extend(
                    new[new_index..new_index + new_len]
                        .iter()
                        .map(|u| whole(u, ClauseStatus::Added, ChangeKind::Insert)),
                );
            }
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                out.extend(
                    old[old_index..old_index + old_len]
                        .iter()
                        .map(|u| whole(u, ClauseStatus::Removed, ChangeKind::Delete)),
                );
                out.extend(
                    new[new_index..new_index + new_len]
                        .iter()
                        .map(|u| whole(u, ClauseStatus::Added, ChangeKind::Insert)),
                );
            }
        }
    }
    out
}

/// Word-level segments; runs of one kind are merged so the UI gets few, readable pieces.
fn words(old: &str, new: &str) -> Vec<DiffSegment> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .diff_words(old, new);
    let mut out: Vec<DiffSegment> = Vec::new();
    for change in diff.iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => ChangeKind::Equal,
            ChangeTag::Insert => ChangeKind::Insert,
            ChangeTag::Delete => ChangeKind::Delete,
        };
        match out.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(change.value()),
            _ => out.push(DiffSegment {
                kind,
                text: change.value().to_string(),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::markdown::parse;

    fn text(segments: &[DiffSegment], kind: ChangeKind) -> String {
        segments
            .iter()
            .filter(|s| s.kind == kind)
            .map(|s| s.text.as_str())
            .collect()
    }

    #[test]
    fn finds_changed_added_and_removed_clauses() {
        let old =
            parse("# T\n\n## 1. S\n\n1.1. keep this\n\n1.2. the old words stay\n\n1.3. gone\n")
                .unwrap();
        let new =
            parse("# T\n\n## 1. S\n\n1.1. keep this\n\n1.2. the new words stay\n\n1.4. fresh\n")
                .unwrap();
        let d = diff(&old, &new);
        let status = |id: &str| d.iter().find(|u| u.id == id).map(|u| u.status);
        assert_eq!(status("section-1"), Some(ClauseStatus::Unchanged));
        assert_eq!(status("1.1"), Some(ClauseStatus::Unchanged));
        assert_eq!(status("1.2"), Some(ClauseStatus::Changed));
        assert_eq!(status("1.3"), Some(ClauseStatus::Removed));
        assert_eq!(status("1.4"), Some(ClauseStatus::Added));
        let changed = &d.iter().find(|u| u.id == "1.2").unwrap().segments;
        assert_eq!(text(changed, ChangeKind::Delete).trim(), "old");
        assert_eq!(text(changed, ChangeKind::Insert).trim(), "new");
        assert_eq!(text(changed, ChangeKind::Equal), "the  words stay");
    }

    #[test]
    fn identical_documents_have_no_changes() {
        let doc = parse(include_str!("../../../policy/ru.md")).unwrap();
        assert!(diff(&doc, &doc)
            .iter()
            .all(|u| u.status == ClauseStatus::Unchanged));
    }

    #[test]
    fn section_title_changes_are_reported() {
        let old = parse("# T\n\n## 1. Old title\n\n1.1. x\n").unwrap();
        let new = parse("# T\n\n## 1. New title\n\n1.1. x\n").unwrap();
        let d = diff(&old, &new);
        assert_eq!(d[0].kind, UnitKind::SectionTitle);
        assert_eq!(d[0].status, ClauseStatus::Changed);
    }
}
