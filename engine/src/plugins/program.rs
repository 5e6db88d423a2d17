//! Executable plugins: a program in any language that speaks the host
//! protocol over its standard streams, declared by a `cxaudit-plugin.toml`
//! file in its folder:
//!
//! ```toml
//! [plugin]
//! # Run in this folder; the first word is looked up on PATH.
//! command = ["python3", "plugin.py"]
//! ```
//!
//! The protocol (version [`PROTOCOL`]), one call per run of the program:
//!
//! - the host writes one line of JSON to the program's standard input:
//!   `{"cxaudit_protocol": 1, "call": "describe"}`, or
//!   `{"cxaudit_protocol": 1, "call": "evaluate", "evaluator": NAME,
//!   "request": REQUEST, "tables": [NAME, ...], "table_errors": {NAME: WHY},
//!   "documents": {KIND: [{"path": .., "text": ..}]}}`; for an evaluation it
//!   then writes, for each name of `tables` in order, the length of an Arrow
//!   IPC stream as 8 bytes (little-endian) and the stream (the declared
//!   table with its schema's types), and closes the input;
//! - the program reads all of its input, then writes one JSON document to
//!   its standard output and exits 0: for `describe`, `{"name", "version",
//!   "evaluators": [{"name", "manifest"}]}`; for `evaluate`, an evaluation
//!   (`plugins/sdk/schemas/evaluation.schema.json`). What it writes to its
//!   standard error is the plugin's output, captured as a library's is.
//!
//! The host writes the input from a thread of its own while it reads the
//! answer, so neither end blocks the other. The host sends only what the
//! evaluator's manifest declares; a table it
//! cannot send is named in `table_errors` with the reason. Under process
//! isolation the program runs inside the plugin child, so the deadline, the
//! memory cap and the output capture hold for it too.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cxaudit_plugin_sdk::{Evaluation, Manifest, Request};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::host::{EvidenceAccess, Opened};
use crate::hashing::sha256_bytes;

/// The file that declares an executable plugin in its folder.
pub const PLUGIN_FILE: &str = "cxaudit-plugin.toml";

/// The version of the protocol this host speaks.
pub const PROTOCOL: u32 = 1;

/// The largest answer a program may write (a finding's JSON is far smaller).
const ANSWER_LIMIT: u64 = 256 * 1024 * 1024;

/// An executable plugin: the command that runs it, in its folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    /// The folder of its `cxaudit-plugin.toml`, where the command runs.
    pub dir: PathBuf,
    /// The program and its arguments.
    pub command: Vec<String>,
}

/// `cxaudit-plugin.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PluginFile {
    plugin: PluginSection,
}

/// Its `[plugin]` table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PluginSection {
    command: Vec<String>,
}

impl Program {
    /// Reads a `cxaudit-plugin.toml`; the error names the file and what is
    /// wrong.
    pub fn read(path: &Path) -> Result<Program, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {PLUGIN_FILE}: {e}"))?;
        let file: PluginFile =
            toml::from_str(&text).map_err(|e| format!("{PLUGIN_FILE} is not valid: {e}"))?;
        if file
            .plugin
            .command
            .first()
            .is_none_or(|c| c.trim().is_empty())
        {
            return Err(format!(
                "{PLUGIN_FILE}: `plugin.command` must name a program, e.g. [\"python3\", \"plugin.py\"]"
            ));
        }
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(Program {
            dir,
            command: file.plugin.command,
        })
    }

    /// The sha256 of what runs: the plugin file, then every other file of
    /// its folder (the script, the helper module, ...) by name; subfolders
    /// are not read.
    pub fn fingerprint(&self) -> Result<String, String> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        let mut bytes = read(&self.dir.join(PLUGIN_FILE))?;
        let entries = std::fs::read_dir(&self.dir)
            .map_err(|e| format!("cannot list {}: {e}", self.dir.display()))?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != PLUGIN_FILE))
            .collect();
        files.sort();
        for file in files {
            bytes.extend_from_slice(&read(&file)?);
        }
        Ok(sha256_bytes(&bytes))
    }

    /// Runs the program once: writes `header` as one JSON line, then each
    /// table's IPC stream with its length, and closes the input (from a
    /// thread of its own, so a program may answer before it has read
    /// everything); returns what the program wrote to its standard output
    /// if it exited 0.
    fn converse(&self, header: &Value, tables: &[Vec<u8>]) -> Result<Vec<u8>, String> {
        let shown = self.command.join(" ");
        let mut child = Command::new(&self.command[0])
            .args(&self.command[1..])
            .current_dir(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
        let input = child.stdin.take();
        let output = child.stdout.take();
        let mut answer = Vec::new();
        let (written, read) = std::thread::scope(|scope| {
            let writer = scope.spawn(move || write_request(input, header, tables));
            let read = output.map(|out| out.take(ANSWER_LIMIT + 1).read_to_end(&mut answer));
            let written = writer
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("the writer panicked")));
            (written, read)
        });
        if answer.len() as u64 > ANSWER_LIMIT {
            // It may still be writing: it will not be read.
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "the program's answer is larger than {} MiB",
                ANSWER_LIMIT / (1024 * 1024)
            ));
        }
        let status = child
            .wait()
            .map_err(|e| format!("cannot wait for `{shown}`: {e}"))?;
        if !status.success() {
            return Err(format!("the program exited with {status}"));
        }
        if let Err(e) = written {
            return Err(format!("cannot write the request to the program: {e}"));
        }
        if let Some(Err(e)) = read {
            return Err(format!("cannot read the program's answer: {e}"));
        }
        Ok(answer)
    }

    /// Asks the program what it is: its name, version and evaluators.
    pub fn describe(&self) -> Result<Described, String> {
        let answer = self.converse(
            &json!({"cxaudit_protocol": PROTOCOL, "call": "describe"}),
            &[],
        )?;
        serde_json::from_slice(&answer)
            .map_err(|e| format!("its answer to `describe` is not a plugin description: {e}"))
    }

    /// Runs evaluator `name` on `request` with the evidence its `manifest`
    /// declares: the program's evaluation and what was sent to it, or why
    /// the program gave none.
    pub fn evaluate(
        &self,
        name: &str,
        manifest: &Manifest,
        request: &Request,
        access: &dyn EvidenceAccess,
    ) -> Result<(Evaluation, Opened), String> {
        let mut opened = Opened::default();
        let mut names = Vec::new();
        let mut streams = Vec::new();
        let mut table_errors = serde_json::Map::new();
        for need in &manifest.tables {
            match access.table(&need.name).and_then(|(schema, batches)| {
                ipc_stream(&schema, &batches).map_err(|e| format!("cannot encode it: {e}"))
            }) {
                Ok(stream) => {
                    names.push(need.name.clone());
                    streams.push(stream);
                    opened.tables.insert(need.name.clone());
                }
                Err(why) => {
                    table_errors.insert(need.name.clone(), Value::from(why));
                }
            }
        }
        let mut documents = serde_json::Map::new();
        for need in &manifest.documents {
            if let Some(docs) = access.documents(&need.kind) {
                let docs: Vec<Value> = docs
                    .into_iter()
                    .map(|(path, text)| json!({"path": path, "text": text}))
                    .collect();
                documents.insert(need.kind.clone(), Value::from(docs));
                opened.documents.insert(need.kind.clone());
            }
        }
        let header = json!({
            "cxaudit_protocol": PROTOCOL,
            "call": "evaluate",
            "evaluator": name,
            "request": request,
            "tables": names,
            "table_errors": table_errors,
            "documents": documents,
        });
        let answer = self.converse(&header, &streams)?;
        let evaluation = serde_json::from_slice::<Evaluation>(&answer)
            .map_err(|e| format!("its answer is not an evaluation: {e}"))?;
        Ok((evaluation, opened))
    }
}

/// Writes the request to the program's standard input and closes it. A
/// program that ends its input early (it answered without reading the
/// tables) is not an error here: its exit status and answer decide.
fn write_request(
    input: Option<std::process::ChildStdin>,
    header: &Value,
    tables: &[Vec<u8>],
) -> std::io::Result<()> {
    let Some(mut input) = input else {
        return Ok(());
    };
    let mut line = header.to_string();
    line.push('\n');
    let sent = (|| {
        input.write_all(line.as_bytes())?;
        for table in tables {
            input.write_all(&(table.len() as u64).to_le_bytes())?;
            input.write_all(table)?;
        }
        input.flush()
    })();
    match sent {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// What a program answers to `describe`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Described {
    /// The plugin's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// What built it (e.g. the helper module's version), shown in listings.
    #[serde(default)]
    pub sdk_version: String,
    /// Its evaluators.
    pub evaluators: Vec<DescribedEvaluator>,
}

/// One evaluator of a program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DescribedEvaluator {
    /// Name within the plugin.
    pub name: String,
    /// What it needs and produces.
    pub manifest: Manifest,
}

/// A table as one Arrow IPC stream.
fn ipc_stream(
    schema: &arrow_schema::SchemaRef,
    batches: &[arrow_array::RecordBatch],
) -> Result<Vec<u8>, arrow_schema::ArrowError> {
    let mut out = Vec::new();
    let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut out, schema)?;
    for batch in batches {
        writer.write(batch)?;
    }
    writer.finish()?;
    drop(writer);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plugin_file_needs_a_command_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(PLUGIN_FILE);
        std::fs::write(&file, "[plugin]\ncommand = [\"python3\", \"plugin.py\"]\n").unwrap();
        let program = Program::read(&file).unwrap();
        assert_eq!(program.command, ["python3", "plugin.py"]);
        assert_eq!(program.dir, dir.path());

        std::fs::write(&file, "[plugin]\ncommand = []\n").unwrap();
        let why = Program::read(&file).unwrap_err();
        assert!(
            why.contains("`plugin.command` must name a program"),
            "{why}"
        );
        std::fs::write(&file, "[plugin]\ncommand = [\"x\"]\nname = \"y\"\n").unwrap();
        let why = Program::read(&file).unwrap_err();
        assert!(why.contains("unknown field `name`"), "{why}");
    }

    #[test]
    fn the_fingerprint_covers_the_plugin_file_and_the_script() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(PLUGIN_FILE);
        std::fs::write(&file, "[plugin]\ncommand = [\"sh\", \"plugin.sh\"]\n").unwrap();
        std::fs::write(dir.path().join("plugin.sh"), "echo one\n").unwrap();
        let program = Program::read(&file).unwrap();
        let first = program.fingerprint().unwrap();
        std::fs::write(dir.path().join("plugin.sh"), "echo two\n").unwrap();
        assert_ne!(program.fingerprint().unwrap(), first);
    }

    /// A shell program that answers `describe` with a fixed description,
    /// and one that exits 3: the protocol's two ends, without Python.
    #[test]
    fn describe_reads_the_answer_and_a_failing_program_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(PLUGIN_FILE);
        std::fs::write(&file, "[plugin]\ncommand = [\"sh\", \"plugin.sh\"]\n").unwrap();
        let answer = r#"{"name":"shell","version":"1.0","evaluators":[{"name":"e","manifest":{"description":"d"}}]}"#;
        std::fs::write(
            dir.path().join("plugin.sh"),
            format!("read -r header\necho '{answer}'\n"),
        )
        .unwrap();
        let program = Program::read(&file).unwrap();
        let described = program.describe().unwrap();
        assert_eq!(described.name, "shell");
        assert_eq!(described.evaluators[0].manifest.description, "d");

        std::fs::write(dir.path().join("plugin.sh"), "cat > /dev/null\nexit 3\n").unwrap();
        let why = program.describe().unwrap_err();
        assert!(why.contains("exit status: 3"), "{why}");
    }

    /// A program that answers without reading its input, while the host
    /// writes more than a pipe holds: no deadlock, and its answer counts.
    #[test]
    fn a_program_may_answer_before_reading_all_its_input() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(PLUGIN_FILE);
        std::fs::write(&file, "[plugin]\ncommand = [\"sh\", \"plugin.sh\"]\n").unwrap();
        std::fs::write(
            dir.path().join("plugin.sh"),
            "read -r header\necho '{\"status\":\"met\",\"summary\":\"ok\"}'\n",
        )
        .unwrap();
        let program = Program::read(&file).unwrap();
        let big = vec![0u8; 8 * 1024 * 1024];
        let answer = program
            .converse(&json!({"call": "evaluate"}), &[big])
            .unwrap();
        assert_eq!(answer, b"{\"status\":\"met\",\"summary\":\"ok\"}\n");
    }
}
