use super::*;

fn schema() -> EvidenceSchema {
    crate::pack::load_named(Path::new("cx-ops"))
        .expect("built-in pack")
        .schema
}

fn plan_of(files: &[(&str, &str)]) -> (tempfile::TempDir, InitPlan) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let knowledge = Knowledge::embedded().expect("presets");
    let plan = plan(&schema(), &knowledge, dir.path(), dir.path()).expect("plan");
    (dir, plan)
}

fn mapping<'a>(plan: &'a InitPlan, table: &str, column: &str) -> &'a ColumnMatch {
    plan.tables[table]
        .columns
        .iter()
        .find(|m| m.canonical == column)
        .unwrap_or_else(|| panic!("{table}.{column} not mapped: {plan:#?}"))
}

#[test]
fn normalise_folds_case_and_punctuation() {
    assert_eq!(normalise(" Contact-ID "), "contact_id");
    assert_eq!(
        normalise("Agent.AfterContactWorkDuration"),
        "agent_aftercontactworkduration"
    );
    assert_eq!(normalise("Wrap-up"), "wrap_up");
}

#[test]
fn embedded_presets_name_canonical_columns() {
    let schema = schema();
    let knowledge = Knowledge::embedded().expect("presets");
    assert!(knowledge.presets.len() >= 3);
    for (name, preset) in &knowledge.presets {
        for column in preset.columns.keys() {
            assert!(
                schema.column(&preset.table, column).is_some(),
                "preset {name}: {}.{column} is not a canonical column",
                preset.table
            );
        }
    }
    for (table, columns) in &knowledge.synonyms {
        for column in columns.keys() {
            assert!(
                schema.column(table, column).is_some(),
                "synonym of {table}.{column}"
            );
        }
    }
}

#[test]
fn name_synonym_preset_and_content_in_that_order() {
    let mut text =
        String::from("ContactId;Channel;Queue.Name;InitiationTimestamp;Talk Time;flag;kind\n");
    for i in 0..20 {
        text.push_str(&format!(
            "c{i};voice;Sales;2026-01-{:02}T08:00:00Z;12,5;{};x{i}\n",
            i + 1,
            if i % 2 == 0 { "yes" } else { "no" }
        ));
    }
    let (_dir, plan) = plan_of(&[("export.csv", &text)]);
    let t = &plan.tables["contacts"];
    assert_eq!(t.file.formats.delimiter, Some(';'));
    assert_eq!(t.file.formats.decimal, Some(DecimalMark::Comma));
    assert_eq!(mapping(&plan, "contacts", "channel").source, Source::Name);
    assert_eq!(
        mapping(&plan, "contacts", "talk_seconds").source,
        Source::Synonym
    );
    let preset = &mapping(&plan, "contacts", "contact_id").source;
    assert!(matches!(preset, Source::Preset { preset, .. } if preset == "amazon-connect-ctr"));
    // `flag` holds yes/no: the only boolean-looking header, but two boolean
    // columns (abandoned, transferred) are open, so content does not decide.
    assert!(t.unmapped_headers.contains(&"flag".to_owned()), "{t:#?}");
    assert!(t.unmapped_headers.contains(&"kind".to_owned()));
    assert!(t.missing_columns.contains(&("abandoned".to_owned(), false)));
}

#[test]
fn content_maps_a_unique_enumeration_and_says_so() {
    let mut text = String::from("Survey ID,Sample Type,Sent At,Origin\n");
    for i in 0..10 {
        text.push_str(&format!("s{i},random,2026-02-{:02} 09:00:00,chat\n", i + 1));
    }
    let (_dir, plan) = plan_of(&[("surveys.csv", &text)]);
    let m = mapping(&plan, "surveys", "channel");
    assert_eq!(m.header, "Origin");
    assert_eq!(
        m.comment(),
        "medium confidence, from content: values `chat` (allowed by the schema) in 100% of 10 sampled rows with a value"
    );
    assert_eq!(
        mapping(&plan, "surveys", "selection").source,
        Source::Synonym
    );
    let (start, end, _) = plan.period.clone().expect("period");
    assert_eq!(
        (start.to_string(), end.to_string()),
        ("2026-02-01".into(), "2026-02-10".into())
    );
}

#[test]
fn values_the_run_refuses_are_flagged() {
    let mut text = String::from("ContactId,Channel,InitiationTimestamp,DisconnectTimestamp\n");
    for i in 0..5 {
        text.push_str(&format!("c{i},VOICE,2026-01-0{}T08:00:00Z,\n", i + 1));
    }
    let (_dir, plan) = plan_of(&[("ctr.csv", &text)]);
    let w = mapping(&plan, "contacts", "channel")
        .warning
        .clone()
        .expect("warning");
    assert!(
        w.starts_with("5 of 5 sampled values are not one of voice"),
        "{w}"
    );
    assert!(
        plan.to_check
            .iter()
            .any(|c| c.starts_with("contacts.channel (`Channel`)"))
    );
}

#[test]
fn ambiguous_day_month_order_is_left_to_check() {
    let mut text = String::from("agent_id,team,site,role,hired_on\n");
    for i in 1..=9 {
        text.push_str(&format!("a{i},T,S,agent,0{i}/0{i}/2025\n"));
    }
    let (_dir, plan) = plan_of(&[("roster.csv", &text)]);
    let t = &plan.tables["agents"];
    assert_eq!(t.file.formats.date_format, None);
    assert!(
        t.file.notes.iter().any(|n| n.starts_with("CHECK dates")),
        "{:?}",
        t.file.notes
    );
    // A day above 12 settles it.
    let (_dir, plan) = plan_of(&[(
        "roster.csv",
        &text.replace("a9,T,S,agent,09/09", "a9,T,S,agent,25/09"),
    )]);
    assert_eq!(
        plan.tables["agents"].file.formats.date_format.as_deref(),
        Some("%d/%m/%Y")
    );
}

#[test]
fn unreadable_and_unmatched_files_are_listed() {
    let (_dir, plan) = plan_of(&[
        ("notes.md", "# Notes\n"),
        ("old.xls", "x"),
        ("misc.csv", "alpha,beta\n1,2\n"),
    ]);
    let files: Vec<&str> = plan
        .unmapped_files
        .iter()
        .map(|(f, _)| f.as_str())
        .collect();
    assert_eq!(files, ["misc.csv", "notes.md", "old.xls"]);
    assert!(plan.unmapped_files[2].1.contains("save it as .xlsx or CSV"));
    assert!(plan.tables.is_empty());
    assert!(plan.period.is_none());
}

#[test]
fn manifest_text_loads_and_refuses_to_overwrite() {
    let mut text = String::from(
        "contact_id,channel,queue,arrived_at,talk_seconds,hold_seconds,wrap_seconds,abandoned,transferred\n",
    );
    for i in 0..3 {
        text.push_str(&format!(
            "c{i},voice,Q,2026-03-0{}T10:00:00,1,2,3,false,false\n",
            i + 1
        ));
    }
    let (dir, plan) = plan_of(&[("contacts.csv", &text)]);
    let toml_text = manifest_text(&plan);
    assert_eq!(toml_text, manifest_text(&plan), "deterministic");
    write_manifest(dir.path(), &toml_text, false).expect("write");
    let manifest = crate::evidence::load_manifest(dir.path()).expect("loads");
    assert_eq!(manifest.tables["contacts"].path, "contacts.csv");
    assert_eq!(manifest.start.to_string(), "2026-03-01");
    assert!(matches!(
        write_manifest(dir.path(), &toml_text, false),
        Err(InitError::Exists(_))
    ));
    write_manifest(dir.path(), &toml_text, true).expect("forced");
}

#[test]
fn a_workbook_is_read_by_the_engine_reader_and_one_with_two_sheets_is_listed() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().expect("temp dir");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["Agent ID", "Team", "Site", "Role", "Hire Date"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    for r in 1..=4u32 {
        sheet.write_string(r, 0, format!("A{r}")).expect("cell");
        sheet.write_string(r, 1, "North").expect("cell");
        sheet.write_string(r, 2, "Lisbon").expect("cell");
        sheet.write_string(r, 3, "agent").expect("cell");
        let day = ExcelDateTime::from_ymd(2025, 5, r as u8).expect("date");
        sheet
            .write_datetime_with_format(r, 4, &day, &date)
            .expect("cell");
    }
    book.save(dir.path().join("roster.xlsx")).expect("save");
    let mut two = Workbook::new();
    two.add_worksheet();
    two.add_worksheet();
    two.save(dir.path().join("two.xlsx")).expect("save");
    let knowledge = Knowledge::embedded().expect("presets");
    let plan = plan(&schema(), &knowledge, dir.path(), dir.path()).expect("plan");
    let t = &plan.tables["agents"];
    assert_eq!(t.file.format, TableFormat::Excel { sheet: None });
    assert_eq!(
        mapping(&plan, "agents", "hired_on").warning,
        None,
        "native dates read"
    );
    assert_eq!(plan.unmapped_files.len(), 1);
    assert_eq!(plan.unmapped_files[0].0, "two.xlsx");
    assert!(
        plan.unmapped_files[0].1.contains("sheets"),
        "{:?}",
        plan.unmapped_files
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_listed_not_followed() {
    let outside = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        outside.path().join("calls.csv"),
        "contact_id,channel\nc1,voice\n",
    )
    .expect("write");
    let dir = tempfile::tempdir().expect("temp dir");
    std::os::unix::fs::symlink(
        outside.path().join("calls.csv"),
        dir.path().join("calls.csv"),
    )
    .expect("link");
    let knowledge = Knowledge::embedded().expect("presets");
    let plan = plan(&schema(), &knowledge, dir.path(), dir.path()).expect("plan");
    assert!(plan.tables.is_empty());
    assert_eq!(plan.unmapped_files.len(), 1);
    assert!(plan.unmapped_files[0].1.starts_with("a symbolic link"));
}

#[test]
fn embedded_document_names_are_kinds_of_the_pack() {
    let schema = schema();
    let knowledge = Knowledge::embedded().expect("presets");
    for kind in knowledge.documents.keys() {
        assert!(schema.documents.contains_key(kind), "[documents] {kind}");
    }
    assert!(!knowledge.time_zone.headers.is_empty());
}

#[test]
fn custom_fields_are_compared_by_their_own_name() {
    assert_eq!(
        matcher::header_key("Custom field (Change start date)"),
        "change_start_date"
    );
    assert_eq!(matcher::header_key("u_escalated_at"), "escalated_at");
    assert_eq!(matcher::header_key("Custom field ()"), "custom_field");
    assert_eq!(matcher::header_key("Queue"), "queue");
}

/// A CSV text: the header line, then `rows` copies of `row` with `{i}`
/// replaced by the row's number (two digits).
fn csv_rows(header: &str, row: &str, rows: usize) -> String {
    let mut text = format!("{header}\n");
    for i in 1..=rows {
        text.push_str(&row.replace("{i}", &format!("{i:02}")));
        text.push('\n');
    }
    text
}

#[test]
fn each_wfm_and_itsm_preset_is_found_by_its_headers() {
    let cases = [
        (
            "export.csv",
            "Planning Group,Media Type,Interval Start,Forecast Offered,Actual Offered,Forecast AHT,Actual AHT,Required Staff,Scheduled Staff,Interval Length (Minutes)",
            "Sales,voice,2026-03-{i}T09:00:00Z,12.5,11,300,310,3,3,60",
            "intervals",
            "genesys-cloud-wem-intervals",
        ),
        (
            "export.csv",
            "Date,Agent ID,Scheduled On Queue Minutes,In Adherence Minutes,On Queue Minutes,Unplanned Absence Minutes,Paid Minutes",
            "2026-03-{i},A01,450,420,430,0,480",
            "adherence",
            "genesys-cloud-wem-adherence",
        ),
        (
            "export.csv",
            "number,short_description,priority,opened_at,resolved_at",
            "INC00{i},Telephony down,Critical,2026-03-{i} 09:00:00,2026-03-{i} 11:00:00",
            "incidents",
            "servicenow-incident",
        ),
        (
            "export.csv",
            "number,short_description,impact,start_date,end_date",
            "CHG00{i},Release,High,2026-03-{i} 09:00:00,2026-03-{i} 11:00:00",
            "changes",
            "servicenow-change-request",
        ),
        (
            "export.csv",
            "Summary,Issue key,Priority,Created,Resolved",
            "Outage,OPS-{i},High,{i}/Mar/26 9:05 AM,{i}/Mar/26 11:40 PM",
            "incidents",
            "jira-service-management-incidents",
        ),
        (
            "export.csv",
            "Summary,Issue key,Custom field (Impact),Custom field (Change start date)",
            "Release,CHG-{i},High,{i}/Mar/26 10:00 AM",
            "changes",
            "jira-service-management-changes",
        ),
    ];
    for (file, header, row, table, preset) in cases {
        let text = csv_rows(header, row, 20);
        let (_dir, plan) = plan_of(&[(file, &text)]);
        let t = plan
            .tables
            .get(table)
            .unwrap_or_else(|| panic!("{preset}: no {table} in {plan:#?}"));
        assert_eq!(t.preset.as_ref().map(|p| p.0.as_str()), Some(preset));
        assert!(
            t.missing_columns.iter().all(|(_, nullable)| *nullable),
            "{preset}: {:?}",
            t.missing_columns
        );
        assert!(
            t.columns.iter().all(|c| c.warning.is_none()),
            "{preset}: {:?}",
            t.columns
        );
    }
}

/// A help desk's ticket export fills part of `contacts`: the preset maps
/// what a ticket has, and what it lacks (talk, hold and wrap times,
/// abandonment, transfers) is named, as are channel words outside the
/// schema's.
#[test]
fn a_zendesk_ticket_export_maps_what_a_ticket_has_and_names_the_rest() {
    let text = csv_rows(
        "Id,Requester,Requester id,Assignee,Group,Subject,Status,Via,Ticket type,Created at,Updated at,Solved at,Satisfaction Score",
        "{i}01,Ana Reis,u{i},Rui Costa,Billing,Refund,solved,Phone call (inbound),question,2026-03-{i} 09:00:00,2026-03-{i} 10:00:00,2026-03-{i} 10:00:00,Good",
        20,
    );
    let (_dir, plan) = plan_of(&[("tickets.csv", &text)]);
    let t = &plan.tables["contacts"];
    assert_eq!(
        t.preset.as_ref().map(|p| p.0.as_str()),
        Some("zendesk-support-tickets")
    );
    for (column, header) in [
        ("contact_id", "Id"),
        ("customer_id", "Requester id"),
        ("channel", "Via"),
        ("queue", "Group"),
        ("agent_id", "Assignee"),
        ("arrived_at", "Created at"),
        ("ended_at", "Solved at"),
        ("contact_reason", "Ticket type"),
    ] {
        assert_eq!(
            mapping(&plan, "contacts", column).header,
            header,
            "{column}"
        );
    }
    let required_missing: Vec<&str> = t
        .missing_columns
        .iter()
        .filter(|(_, nullable)| !nullable)
        .map(|(c, _)| c.as_str())
        .collect();
    assert_eq!(
        required_missing,
        [
            "abandoned",
            "hold_seconds",
            "talk_seconds",
            "transferred",
            "wrap_seconds"
        ]
    );
    let channel = mapping(&plan, "contacts", "channel");
    assert!(
        channel
            .warning
            .as_deref()
            .is_some_and(|w| w.contains("Phone call (inbound)")),
        "{channel:?}"
    );
}

#[test]
fn jira_dates_read_in_jira_s_default_format() {
    let text = csv_rows(
        "Issue key,Custom field (Severity),Created,Custom field (Escalated to leadership)",
        "OPS-{i},Critical,{i}/Mar/26 9:05 AM,{i}/Mar/26 9:35 PM",
        20,
    );
    let (_dir, plan) = plan_of(&[("incidents.csv", &text)]);
    let t = &plan.tables["incidents"];
    assert_eq!(
        t.file.formats.timestamp_format.as_deref(),
        Some("%d/%b/%y %I:%M %p")
    );
    assert_eq!(mapping(&plan, "incidents", "severity").source, Source::Name);
    assert_eq!(
        mapping(&plan, "incidents", "escalated_at").source,
        Source::Synonym
    );
}

#[test]
fn first_heading_skips_front_matter() {
    let text =
        "+++\ntitle = \"# not this\"\n+++\n\nIntro.\n\n## Business plan 2026 ##\n\n# Later\n";
    assert_eq!(first_heading(text).as_deref(), Some("Business plan 2026"));
    assert_eq!(
        first_heading("---\ntitle: x\n---\n# Escalation policy\n").as_deref(),
        Some("Escalation policy")
    );
    assert_eq!(first_heading("no heading\n"), None);
}

#[test]
fn documents_are_matched_by_file_name_and_first_heading() {
    let (_dir, plan) = plan_of(&[
        (
            "business-plan-2026.md",
            "# Business plan 2026\n\n## Objectives\n",
        ),
        (
            "notes-a.md",
            "# Escalation procedure\n\n| Severity | Time limit |\n",
        ),
        ("mission-and-vision.md", "Text before any heading.\n"),
        ("questionnaire.md", "# Direction statement\n"),
        ("README.md", "# Exports of March\n"),
        ("operating-plan.md", "# Operating plan, second copy\n"),
    ]);
    let doc = |kind: &str| {
        plan.documents
            .get(kind)
            .unwrap_or_else(|| panic!("{kind} not matched: {plan:#?}"))
    };
    let plan_doc = doc("business_plan");
    assert_eq!(plan_doc.path, "business-plan-2026.md");
    assert_eq!(
        plan_doc.comment(),
        "high confidence, from file name `business-plan-2026` and first heading `Business plan 2026`"
    );
    assert_eq!(doc("escalation_policy").confidence, "medium");
    assert!(doc("escalation_policy").from.starts_with("first heading"));
    assert_eq!(doc("direction").path, "mission-and-vision.md");
    assert!(doc("direction").from.starts_with("file name"));
    let why = |file: &str| {
        plan.unmapped_files
            .iter()
            .find(|(f, _)| f == file)
            .map(|(_, why)| why.as_str())
            .unwrap_or_else(|| panic!("{file} not listed: {:?}", plan.unmapped_files))
    };
    assert!(why("questionnaire.md").contains("file name says `survey_design`"));
    assert!(why("README.md").contains("name no document kind"));
    assert!(why("operating-plan.md").contains("also looks like document `business_plan`"));
    assert_eq!(
        plan.missing_documents,
        ["review_minutes", "survey_design"],
        "{plan:#?}"
    );
    let text = manifest_text(&plan);
    assert!(
        text.contains("[documents]\n# high confidence, from file name `business-plan-2026` and first heading `Business plan 2026`\nbusiness_plan = \"business-plan-2026.md\"\n"),
        "{text}"
    );
    assert!(text.contains("# TO FILL: no document found for `survey_design`"));
}

#[test]
fn review_minutes_of_one_folder_are_mapped_as_the_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("reviews")).expect("mkdir");
    for month in ["2026-02", "2026-03"] {
        std::fs::write(
            dir.path()
                .join(format!("reviews/review-minutes-{month}.md")),
            format!("# Minutes of the monthly performance review {month}\n"),
        )
        .expect("write");
    }
    std::fs::write(dir.path().join("latin1.md"), b"# Pol\xedtica\n").expect("write");
    let knowledge = Knowledge::embedded().expect("presets");
    let plan = plan(&schema(), &knowledge, dir.path(), dir.path()).expect("plan");
    let m = &plan.documents["review_minutes"];
    assert_eq!((m.path.as_str(), m.confidence), ("reviews", "high"));
    assert_eq!(plan.unmapped_files.len(), 1, "{:?}", plan.unmapped_files);
    assert!(plan.unmapped_files[0].1.contains("not UTF-8"));
    assert!(manifest_text(&plan).contains("\nreview_minutes = \"reviews\"\n"));
}

/// A WFM adherence export whose `zone` column holds `zones` in turn.
fn adherence_with_zones(header: &str, zones: &[&str]) -> String {
    let mut text = format!("Agent ID,Date,Scheduled Mins,Minutes In Adherence,{header}\n");
    for i in 0..10 {
        text.push_str(&format!(
            "A0{},2026-03-{:02},450,430,{}\n",
            i % 3,
            i + 1,
            zones[i % zones.len()]
        ));
    }
    text
}

#[test]
fn a_time_zone_stated_in_every_sampled_row_is_set_with_its_source() {
    let text = adherence_with_zones("Management Unit Time Zone", &["Europe/Lisbon"]);
    let (dir, plan) = plan_of(&[("adherence.csv", &text)]);
    assert_eq!(plan.time_zone.zone(), Some("Europe/Lisbon"));
    let toml_text = manifest_text(&plan);
    assert!(
        toml_text.contains("[defaults]\n# From the exports: `adherence.csv` column `Management Unit Time Zone` (the same IANA name in every one of 10 sampled rows). CHECK it is the centre's own time zone.\ntime_zone = \"Europe/Lisbon\"\n"),
        "{toml_text}"
    );
    let summary = summary_text(&plan, "evidence.toml");
    assert!(!summary.contains("[defaults] time_zone"), "{summary}");
    assert!(summary.contains(
        "time zone: Europe/Lisbon (stated by adherence.csv column Management Unit Time Zone)"
    ));
    write_manifest(dir.path(), &toml_text, false).expect("write");
    let manifest = crate::evidence::load_manifest(dir.path()).expect("loads");
    assert_eq!(
        manifest.defaults.time_zone.as_deref(),
        Some("Europe/Lisbon")
    );
}

#[test]
fn several_zones_offsets_or_gaps_leave_the_time_zone_to_fill() {
    let lisbon = adherence_with_zones("Time Zone", &["Europe/Lisbon"]);
    let madrid = adherence_with_zones("TZ", &["Europe/Madrid"]);
    let (_dir, plan) = plan_of(&[("a.csv", &lisbon), ("b.csv", &madrid)]);
    assert_eq!(
        plan.time_zone,
        TimeZoneFinding::Several(vec!["Europe/Lisbon".into(), "Europe/Madrid".into()])
    );
    let text = manifest_text(&plan);
    assert!(text.contains("The exports state several (Europe/Lisbon, Europe/Madrid)"));
    assert!(!text.lines().any(|l| l.starts_with("time_zone")), "{text}");
    let mixed = adherence_with_zones("Time Zone", &["Europe/Lisbon", "Atlantic/Madeira"]);
    let (_dir, plan) = plan_of(&[("a.csv", &mixed)]);
    assert!(matches!(plan.time_zone, TimeZoneFinding::Several(_)));
    for not_named in [
        &["+01:00"][..],
        &["CET"],
        &["Etc/GMT-1"],
        &["Europe/Lisbon", ""],
        &["Europe/Atlantis"],
    ] {
        let text = adherence_with_zones("Time Zone", not_named);
        let (_dir, plan) = plan_of(&[("a.csv", &text)]);
        assert_eq!(plan.time_zone, TimeZoneFinding::None, "{not_named:?}");
        let summary = summary_text(&plan, "evidence.toml");
        assert!(
            summary.contains("[defaults] time_zone (the centre's IANA time zone; never guessed)")
        );
    }
}
