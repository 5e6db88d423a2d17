//! Documents in the centre's own language and wording, end to end on a small
//! synthetic centre: a German escalation policy and a Thai direction
//! statement, their headings and columns mapped in `evidence.toml`, score as
//! the English originals do; an English policy headed "Escalate to
//! leadership within" is read; a mapping of a heading the pack does not read
//! is refused, naming the key.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cxaudit_tests::*;
use serde_json::Value;

const PLUGINS: [&str; 5] = [
    "cxaudit_plugin_planning",
    "cxaudit_plugin_csat",
    "cxaudit_plugin_workforce",
    "cxaudit_plugin_people",
    "cxaudit_plugin_performance",
];

fn pack() -> PathBuf {
    root().join("standards").join("cx-ops")
}

/// The first-party plugins, copied once per process.
fn plugins() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = shared_dir("plugins");
        copy_plugins(&dir, &PLUGINS);
        dir
    })
}

/// A small follow-up centre (`cxaudit synth --scenario followup --contacts
/// 3000`) and its assessment, made once per process.
fn english() -> &'static (PathBuf, Value) {
    static CENTRE: OnceLock<(PathBuf, Value)> = OnceLock::new();
    CENTRE.get_or_init(|| {
        let evidence = shared_dir("english").join("en");
        synth(&evidence, "followup", &["--contacts", "3000"]);
        let assessment = assessed(&evidence);
        (evidence, assessment)
    })
}

/// `assess` of an evidence folder, which must succeed.
fn assessed(evidence: &Path) -> Value {
    let (o, json, _out) = assess(&pack(), evidence, plugins());
    assert!(o.status.success(), "assess: {}", stderr(&o));
    json.expect("assessment.json")
}

/// A writable copy of the English centre.
fn copy_of_english() -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    copy_tree(&english().0, copy.path());
    copy
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Status, score and measurements of a criterion: what must not depend on
/// the language of its documents.
fn verdict(assessment: &Value, id: &str) -> (Value, Value, Value) {
    let f = finding(assessment, id);
    (
        f["outcome"]["status"].clone(),
        f["outcome"]["score"].clone(),
        f["measurements"].clone(),
    )
}

/// The front matter of a Markdown document (`+++` to `+++`, inclusive).
fn front_matter(text: &str) -> &str {
    let end = text[3..].find("+++").expect("closing +++") + 6;
    &text[..end]
}

/// The synthetic centre's escalation policy, in German. Severity codes are
/// the incident export's (`critical`...), as the policy must name them.
fn german_policy(english: &str) -> String {
    let front = front_matter(english)
        .replace("\"Escalation policy\"", "\"Eskalationsrichtlinie\"")
        .replace("\"Head of Operations\"", "\"Leitung Betrieb\"")
        .replace(
            "\"Chief Operating Officer\"",
            "\"Geschäftsführung Betrieb\"",
        );
    format!(
        "{front}\n\n# Eskalationsrichtlinie\n\n\
         Störungen werden telefonisch und im Störungskanal an die diensthabende Leitung \
         eskaliert.\n\n\
         | Schweregrad | Frist |\n|---|---|\n\
         | critical | 30 min |\n| high | 2 h |\n| medium | 8 h |\n| low | 24 h |\n\n\
         Critical: Dienst nicht verfügbar oder Sicherheitsproblem. High: eine wichtige Funktion \
         beeinträchtigt oder viele Kunden betroffen. Markteinführungen und Änderungen mit hoher \
         Auswirkung werden dem Center mindestens 7 Tage vor dem Go-live gemeldet.\n"
    )
}

/// The synthetic centre's direction statement, in Thai, with the English
/// original's briefing dates.
fn thai_direction(english: &str) -> String {
    let front = front_matter(english)
        .replace("\"Direction statement\"", "\"แนวทางของศูนย์\"")
        .replace("\"Head of Customer Care\"", "\"หัวหน้าฝ่ายบริการลูกค้า\"")
        .replace("\"Chief Operating Officer\"", "\"ประธานเจ้าหน้าที่ฝ่ายปฏิบัติการ\"");
    let briefings: String = english
        .lines()
        .filter(|l| l.starts_with("| 20"))
        .map(|l| {
            let date = l.split('|').nth(1).unwrap().trim();
            format!("| {date} | ทุกทีม | 96% |\n")
        })
        .collect();
    assert!(
        !briefings.is_empty(),
        "the English statement lists briefings"
    );
    format!(
        "{front}\n\n# Harbour Ride Customer Care: แนวทางของศูนย์\n\n\
         ## พันธกิจ\n\n\
         ช่วยให้ผู้โดยสารและคนขับทุกคนกลับมาเดินทางได้อย่างรวดเร็ว โดยแก้ไขปัญหาให้เสร็จตั้งแต่การติดต่อครั้งแรก \
         และขจัดสาเหตุที่ทำให้ลูกค้าต้องติดต่อเรา\n\n\
         ## คำมั่นสัญญาต่อลูกค้า\n\n\
         - รับสายลูกค้า 80% ภายใน 20 วินาที และตอบอีเมลภายใน 8 ชั่วโมง\n\
         - แก้ไขปัญหาให้เสร็จในการติดต่อครั้งแรก หากทำไม่ได้ เราจะรับผิดชอบและแจ้งว่าจะเสร็จเมื่อใด\n\
         - แจ้งการเปลี่ยนแปลงให้ทราบก่อนที่จะส่งผลกระทบต่อท่าน\n\n\
         ## ค่านิยม\n\n\
         - รับผิดชอบต่อผลลัพธ์\n- แก้ที่ต้นเหตุ ไม่ใช่แค่แก้เป็นกรณี\n\
         - เปิดเผยตัวเลขอย่างตรงไปตรงมา\n- เคารพเวลาของลูกค้า\n\n\
         ## การชี้แจงพนักงาน\n\n\
         มีการชี้แจงแนวทางของศูนย์แก่พนักงานทุกคนในการปฐมนิเทศและในการประชุมทีม\n\n\
         | วันที่ | ผู้เข้าร่วม | อัตราการเข้าร่วม |\n|---|---|---|\n{briefings}"
    )
}

/// Replaces one `[documents]` line of an `evidence.toml`.
fn replace_line(evidence: &Path, old: &str, new: &str) {
    let file = evidence.join("evidence.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains(old), "{old} in {text}");
    std::fs::write(&file, text.replace(old, new)).unwrap();
}

/// The German policy and the Thai statement in place of the English ones,
/// mapped in `evidence.toml` when `map` is set.
fn translated_centre(map: bool) -> tempfile::TempDir {
    let copy = copy_of_english();
    let dir = copy.path();
    let docs = dir.join("docs");
    let policy = std::fs::read_to_string(docs.join("escalation-policy.md")).unwrap();
    let direction = std::fs::read_to_string(docs.join("direction.md")).unwrap();
    std::fs::remove_file(docs.join("escalation-policy.md")).unwrap();
    std::fs::remove_file(docs.join("direction.md")).unwrap();
    std::fs::write(
        docs.join("eskalationsrichtlinie.md"),
        german_policy(&policy),
    )
    .unwrap();
    std::fs::write(docs.join("แนวทาง.md"), thai_direction(&direction)).unwrap();
    let (policy_entry, direction_entry) = if map {
        (
            "escalation_policy = { path = \"docs/eskalationsrichtlinie.md\", columns = { \
             severity = \"Schweregrad\", time_limit = \"Frist\" } }",
            "[documents.direction]\npath = \"docs/แนวทาง.md\"\nheadings = { mission = \"พันธกิจ\", \
             customer_promise = \"คำมั่นสัญญาต่อลูกค้า\", values = \"ค่านิยม\", \
             staff_briefing = \"การชี้แจงพนักงาน\" }\n",
        )
    } else {
        (
            "escalation_policy = \"docs/eskalationsrichtlinie.md\"",
            "[documents.direction]\npath = \"docs/แนวทาง.md\"\n",
        )
    };
    replace_line(
        dir,
        "escalation_policy = \"docs/escalation-policy.md\"",
        policy_entry,
    );
    // The table form of `direction` goes after the `[documents]` lines.
    replace_line(dir, "direction = \"docs/direction.md\"\n", "");
    let file = dir.join("evidence.toml");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push('\n');
    text.push_str(direction_entry);
    std::fs::write(&file, text).unwrap();
    copy
}

#[test]
fn a_german_policy_and_a_thai_statement_mapped_score_as_the_english_originals() {
    let english = &english().1;
    // The originals are judged, not skipped: LP1 met, GV1 scored.
    assert_eq!(status(english, "LP1"), "met");
    assert!(finding(english, "GV1")["outcome"]["score"].is_number());
    let local = translated_centre(true);
    let translated = assessed(local.path());
    for id in ["LP1", "GV1"] {
        assert_eq!(
            verdict(&translated, id),
            verdict(english, id),
            "{id}: {}",
            finding(&translated, id)["summary"]
        );
    }
    // The findings name the translated files they read.
    let paths = |id: &str| finding(&translated, id)["evidence"].to_string();
    assert!(paths("LP1").contains("docs/แนวทาง.md"), "{}", paths("LP1"));
    assert!(paths("GV1").contains("docs/eskalationsrichtlinie.md"));
    // The same documents without the mapping are not read: the mapping, not
    // the test, makes them count.
    let unmapped_dir = translated_centre(false);
    let unmapped = assessed(unmapped_dir.path());
    for id in ["LP1", "GV1"] {
        assert_ne!(verdict(&unmapped, id), verdict(english, id), "{id}");
    }
}

#[test]
fn gv1_reads_a_policy_headed_escalate_to_leadership_within() {
    let copy = copy_of_english();
    let policy = copy.path().join("docs/escalation-policy.md");
    let text = std::fs::read_to_string(&policy).unwrap();
    assert!(text.contains("| Severity | Time limit |"));
    std::fs::write(
        &policy,
        text.replace("| Time limit |", "| Escalate to leadership within |"),
    )
    .unwrap();
    let a = assessed(copy.path());
    assert_eq!(verdict(&a, "GV1"), verdict(&english().1, "GV1"));
    let checks = finding(&a, "GV1")["checks"].as_array().unwrap().clone();
    let limits = checks
        .iter()
        .find(|c| c["id"] == "policy_time_limits")
        .expect("policy_time_limits");
    assert_eq!(limits["passed"], true, "{limits}");
}

#[test]
fn a_heading_the_pack_does_not_read_is_refused_naming_the_key() {
    let copy = copy_of_english();
    replace_line(
        copy.path(),
        "escalation_policy = \"docs/escalation-policy.md\"",
        "escalation_policy = { path = \"docs/escalation-policy.md\", headings = { \
         escalation_matrix = \"Eskalationsmatrix\" } }",
    );
    let text = std::fs::read_to_string(copy.path().join("evidence.toml")).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("escalation_matrix"))
        .unwrap()
        + 1;
    let (o, json, _out) = assess(&pack(), copy.path(), plugins());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(json.is_none(), "no assessment is written");
    let err = stderr(&o);
    assert!(
        err.contains(&format!("evidence.toml:{line}:"))
            && err.contains("`documents.escalation_policy.headings.escalation_matrix`")
            && err.contains("is not a heading of `escalation_policy` documents"),
        "{err}"
    );
    let check = cxaudit(&[
        "check",
        "--pack",
        pack().to_str().unwrap(),
        "--evidence",
        copy.path().to_str().unwrap(),
        "--plugins",
        plugins().to_str().unwrap(),
    ]);
    assert_eq!(check.status.code(), Some(2), "{}", stderr(&check));
    assert!(stderr(&check).contains("documents.escalation_policy.headings.escalation_matrix"));
}

#[test]
fn pack_validate_refuses_a_schema_without_a_word_an_evaluator_reads() {
    // GV1's evaluator declares the `time_limit` column of the escalation
    // policy; a pack whose schema drops it cannot give it its names.
    let copy = tempfile::tempdir().unwrap();
    copy_tree(&pack(), copy.path());
    let schema = copy.path().join("evidence-schema.toml");
    let text = std::fs::read_to_string(&schema).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("columns.time_limit"))
        .expect("the shipped schema names time_limit");
    std::fs::write(&schema, text.replace(&format!("{line}\n"), "")).unwrap();
    let o = validate_pack(copy.path(), plugins());
    assert!(!o.status.success());
    let out = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        out.contains(
            "`planning/escalation` reads column `time_limit` of document `escalation_policy`"
        ),
        "{out}"
    );
    assert!(validate_pack(&pack(), plugins()).status.success());
}
