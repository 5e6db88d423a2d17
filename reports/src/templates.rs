//! The handlebars templates: embedded in the binary from
//! `reports/templates/`, each overridable by a file of the same name in a
//! `--templates DIR` folder. Files named `_NAME.hbs` are partials
//! (`{{> NAME}}`); a folder may add partials of its own.

use std::path::{Path, PathBuf};

use handlebars::{
    Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext, RenderError,
    RenderErrorReason, handlebars_helper,
};

use super::ReportError;
use super::text;

/// The embedded templates and partials, by file name.
pub const EMBEDDED: [(&str, &str); 10] = [
    ("report.md.hbs", include_str!("../templates/report.md.hbs")),
    (
        "report.html.hbs",
        include_str!("../templates/report.html.hbs"),
    ),
    (
        "compare.md.hbs",
        include_str!("../templates/compare.md.hbs"),
    ),
    (
        "compare.html.hbs",
        include_str!("../templates/compare.html.hbs"),
    ),
    ("trend.md.hbs", include_str!("../templates/trend.md.hbs")),
    (
        "trend.html.hbs",
        include_str!("../templates/trend.html.hbs"),
    ),
    ("_style.hbs", include_str!("../templates/_style.hbs")),
    (
        "_finding_html.hbs",
        include_str!("../templates/_finding_html.hbs"),
    ),
    (
        "_finding_md.hbs",
        include_str!("../templates/_finding_md.hbs"),
    ),
    (
        "_footer_html.hbs",
        include_str!("../templates/_footer_html.hbs"),
    ),
];

handlebars_helper!(add1: |i: u64| i + 1);

/// A Markdown helper (`{{md_text x}}`, `{{md_cell x}}`, `{{md_code x}}`):
/// writes its escaped argument itself, so the registry's escaping does not
/// apply a second time.
struct MdHelper {
    /// The helper's name, for errors.
    name: &'static str,
    /// The escaping.
    escape: fn(&str) -> String,
}

impl HelperDef for MdHelper {
    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let param = h
            .param(0)
            .ok_or(RenderErrorReason::ParamNotFoundForIndex(self.name, 0))?;
        if r.strict_mode() && param.is_value_missing() {
            return Err(RenderError::strict_error(param.relative_path()));
        }
        out.write(&(self.escape)(&text::value(param.value())))?;
        Ok(())
    }
}

/// The escaping of Markdown templates: every `{{x}}` is plain text.
fn md_escape(s: &str) -> String {
    text::md_text(s)
}

/// The Markdown registry: `{{x}}` escaped as plain text ([`text::md_text`]),
/// `{{{x}}}` raw (for fields named `*_md` / `*_md_cell`, the pack's
/// Markdown already neutralised), and the `md_text`, `md_cell`, `md_code`
/// and `add1` helpers.
fn md_registry() -> Handlebars<'static> {
    let mut md = Handlebars::new();
    md.set_strict_mode(true);
    md.register_escape_fn(md_escape);
    let helpers = [
        MdHelper {
            name: "md_text",
            escape: text::md_text,
        },
        MdHelper {
            name: "md_cell",
            escape: text::md_cell,
        },
        MdHelper {
            name: "md_code",
            escape: text::md_code,
        },
    ];
    for helper in helpers {
        md.register_helper(helper.name, Box::new(helper));
    }
    md.register_helper("add1", Box::new(add1));
    md
}

/// The templates a report is rendered with: HTML templates escape every
/// value (`{{x}}`) as HTML, Markdown templates as Markdown text; both insert
/// raw (`{{{x}}}`) only the fields the reports build safely (`*_html`,
/// `svg`, `*_md`, `*_md_cell`).
pub struct Templates {
    html: Handlebars<'static>,
    md: Handlebars<'static>,
    /// Where each template came from (`embedded` or a path), by file name.
    pub sources: Vec<(String, String)>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("sources", &self.sources)
            .finish()
    }
}

fn partial_name(file: &str) -> Option<&str> {
    file.strip_prefix('_')?.strip_suffix(".hbs")
}

impl Templates {
    /// The embedded templates.
    pub fn embedded() -> Self {
        Self::load(None).expect("the embedded templates compile")
    }

    /// The embedded templates, each replaced by the file of the same name
    /// in `dir` when there is one; `_*.hbs` files in `dir` are partials.
    pub fn load(dir: Option<&Path>) -> Result<Self, ReportError> {
        let mut files: Vec<(String, String, String)> = Vec::new();
        for (name, embedded) in EMBEDDED {
            let own = dir.map(|d| d.join(name)).filter(|p| p.is_file());
            match own {
                Some(path) => {
                    let text =
                        std::fs::read_to_string(&path).map_err(|source| ReportError::Io {
                            path: path.clone(),
                            source,
                        })?;
                    files.push((name.to_owned(), text, path.display().to_string()));
                }
                None => files.push((name.to_owned(), embedded.to_owned(), "embedded".into())),
            }
        }
        if let Some(dir) = dir {
            if !dir.is_dir() {
                return Err(ReportError::Template {
                    file: dir.to_path_buf(),
                    message: "--templates: not a folder".into(),
                });
            }
            let mut extra: Vec<PathBuf> = std::fs::read_dir(dir)
                .map_err(|source| ReportError::Io {
                    path: dir.to_path_buf(),
                    source,
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .and_then(partial_name)
                        .is_some_and(|_| p.is_file())
                })
                .filter(|p| {
                    let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    !EMBEDDED.iter().any(|(e, _)| *e == n)
                })
                .collect();
            extra.sort();
            for path in extra {
                let text = std::fs::read_to_string(&path).map_err(|source| ReportError::Io {
                    path: path.clone(),
                    source,
                })?;
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .to_owned();
                files.push((name, text, path.display().to_string()));
            }
        }

        let mut html = Handlebars::new();
        html.set_strict_mode(true);
        html.register_helper("add1", Box::new(add1));
        let mut md = md_registry();
        let mut sources = Vec::new();
        for (name, text, source) in &files {
            let err = |e: handlebars::TemplateError| ReportError::Template {
                file: PathBuf::from(source.as_str()).join(if source == "embedded" {
                    name.as_str()
                } else {
                    ""
                }),
                message: e.to_string(),
            };
            if let Some(partial) = partial_name(name) {
                html.register_partial(partial, text).map_err(err)?;
                md.register_partial(partial, text).map_err(err)?;
            } else if let Some(stem) = name.strip_suffix(".hbs") {
                if stem.ends_with(".md") {
                    md.register_template_string(stem, text).map_err(err)?;
                } else {
                    html.register_template_string(stem, text).map_err(err)?;
                }
            }
            sources.push((name.clone(), source.clone()));
        }
        Ok(Templates { html, md, sources })
    }

    /// Renders `report.md`, `compare.md`, `trend.md`, `report.html`,
    /// `compare.html` or `trend.html`.
    pub fn render<T: serde::Serialize>(&self, name: &str, data: &T) -> Result<String, ReportError> {
        let registry = if name.ends_with(".md") {
            &self.md
        } else {
            &self.html
        };
        registry
            .render(name, data)
            .map_err(|e| ReportError::Render {
                template: format!("{name}.hbs"),
                message: e.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The field a `{{{x}}}` names, without its path.
    fn raw_fields(template: &str) -> Vec<&str> {
        template
            .split("{{{")
            .skip(1)
            .filter_map(|t| t.split("}}}").next())
            .map(|f| f.trim().rsplit('.').next().unwrap_or(f))
            .collect()
    }

    #[test]
    fn raw_output_is_only_for_fields_built_safely() {
        for (name, template) in EMBEDDED {
            let markdown = name.contains(".md.") || name.ends_with("_md.hbs");
            for field in raw_fields(template) {
                let safe = if markdown {
                    field.ends_with("_md") || field.ends_with("_md_cell")
                } else {
                    field.ends_with("_html") || field.ends_with("_svg") || field == "svg"
                };
                assert!(safe, "{name}: raw `{field}`");
            }
        }
    }

    #[test]
    fn markdown_values_are_escaped_once_and_raw_only_when_asked() {
        let mut md = md_registry();
        md.register_template_string(
            "t",
            "{{x}}|{{md_text x}}|{{md_cell x}}|{{md_code h}}|{{{x}}}|{{add1 n}}",
        )
        .unwrap();
        let data = serde_json::json!({ "x": "<b>*a*</b>", "h": "ab_c", "n": 1 });
        let out = md.render("t", &data).unwrap();
        let e = "\\<b>\\*a\\*\\</b>";
        assert_eq!(out, format!("{e}|{e}|{e}|`ab_c`|<b>*a*</b>|2"));
        let missing = md.render_template("{{md_text nothing}}", &data);
        assert!(missing.is_err(), "strict mode: a missing field is an error");
    }
}
