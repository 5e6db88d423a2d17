//! The handlebars templates: embedded in the binary from
//! `reports/templates/`, each overridable by a file of the same name in a
//! `--templates DIR` folder. Files named `_NAME.hbs` are partials
//! (`{{> NAME}}`); a folder may add partials of its own.

use std::path::{Path, PathBuf};

use handlebars::{Handlebars, handlebars_helper, no_escape};

use super::ReportError;
use super::text;

/// The embedded templates and partials, by file name.
pub const EMBEDDED: [(&str, &str); 8] = [
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

handlebars_helper!(md_text: |v: Json| text::md_text(&text::value(v)));
handlebars_helper!(md_cell: |v: Json| text::md_cell(&text::value(v)));
handlebars_helper!(add1: |i: u64| i + 1);

/// The templates a report is rendered with: HTML templates escape every
/// value (`{{x}}`), Markdown templates escape with the `md_text` and
/// `md_cell` helpers.
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
        let mut md = Handlebars::new();
        md.set_strict_mode(true);
        md.register_escape_fn(no_escape);
        md.register_helper("md_text", Box::new(md_text));
        md.register_helper("md_cell", Box::new(md_cell));
        md.register_helper("add1", Box::new(add1));
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

    /// Renders `report.md`, `compare.md`, `report.html` or `compare.html`.
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
