//! Eight `evident decide` processes racing to subscribe eight students to a course of three
//! places, on one store: exactly three get in, on SQLite and on PostgreSQL.

use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

use super::courses::{Courses, define, subscribe};
use super::*;

/// The variable naming the PostgreSQL server the race creates its database on.
const POSTGRES: &str = "EVIDENT_TEST_POSTGRES";

const RACERS: usize = 8;
const CAPACITY: u32 = 3;

/// `evident decide` as a child process of its own.
fn spawn_decide(courses: &Courses, command: &Path) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_evident"))
        .args(courses.decide_args(command))
        .current_dir(workspace_root())
        .env_remove("RUST_LOG")
        .env(
            "EVIDENT_AOT_CACHE",
            evident_testkit::guests::target_dir().join("aot-cache"),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn exit_code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

fn race(courses: &Courses) {
    courses
        .decide(&courses.command(&define("c1", CAPACITY)))
        .assert()
        .success();
    let commands: Vec<PathBuf> = (1..=RACERS)
        .map(|i| courses.command(&subscribe("c1", &format!("s{i}"))))
        .collect();
    // Every process starts before any is waited for: they decide and append side by side.
    let children: Vec<_> = commands
        .iter()
        .map(|command| spawn_decide(courses, command))
        .collect();
    let mut outcomes: Vec<(usize, Output)> = children
        .into_iter()
        .map(|child| child.wait_with_output().unwrap())
        .enumerate()
        .collect();
    // A decision whose conflicts outlived its attempts decides again until it is appended or
    // refused: a conflict only says "not yet".
    for (i, output) in &mut outcomes {
        let mut tries = 0;
        while exit_code(output) == 3 {
            tries += 1;
            assert!(
                tries < 50,
                "still conflicting after {tries} runs: {output:?}"
            );
            *output = spawn_decide(courses, &commands[*i])
                .wait_with_output()
                .unwrap();
        }
    }
    let mut admitted = Vec::new();
    for (i, output) in &outcomes {
        let stderr = String::from_utf8_lossy(&output.stderr);
        match exit_code(output) {
            0 => {
                assert!(stderr.contains("1 event appended at position"), "{stderr}");
                admitted.push(format!("c1/s{}", i + 1));
            }
            2 => assert!(
                stderr.contains("refused: [course-full] course c1 is full: 3 of 3 places taken"),
                "{stderr}"
            ),
            code => panic!("racer {} exited with {code}: {stderr}", i + 1),
        }
    }
    assert_eq!(admitted.len(), CAPACITY as usize, "{outcomes:?}");
    assert_eq!(courses.capacity("c1")["subscribed"], CAPACITY);
    let mut subscribed = courses.read_ids("student.subscribed");
    subscribed.sort();
    admitted.sort();
    assert_eq!(subscribed, admitted);
}

#[test]
fn eight_processes_race_for_three_places_on_sqlite() {
    race(&Courses::new());
}

/// A database of its own on the server `EVIDENT_TEST_POSTGRES` names, dropped afterwards.
struct PostgresDatabase {
    server: String,
    name: String,
}

impl Drop for PostgresDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.server, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, parameters) = url.split_once('?').map_or((url, ""), |(b, p)| (b, p));
    let host_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[host_start..].find('/') {
        Some(slash) => &base[..host_start + slash],
        None => base,
    };
    let parameters = if parameters.is_empty() {
        String::new()
    } else {
        format!("?{parameters}")
    };
    format!("{base}/{name}{parameters}")
}

#[test]
fn eight_processes_race_for_three_places_on_postgres() {
    let server = match std::env::var(POSTGRES) {
        Ok(url) if !url.trim().is_empty() => url,
        _ => {
            let ci = std::env::var("CI").is_ok_and(|ci| !matches!(ci.as_str(), "" | "false" | "0"));
            assert!(
                !ci,
                "{POSTGRES} is not set: under CI the PostgreSQL race runs against a real server. \
                 Start one with `eval \"$(.ci/postgres start)\"`"
            );
            let line = format!(
                "\n*** SKIPPED {}: set {POSTGRES}=postgresql://… to race on PostgreSQL (see .ci/postgres) ***\n",
                module_path!()
            );
            // libtest captures `eprint!`; the terminal's stderr gets the line anyway.
            let tty = std::fs::OpenOptions::new().write(true).open("/dev/stderr");
            if tty
                .and_then(|mut tty| std::io::Write::write_all(&mut tty, line.as_bytes()))
                .is_err()
            {
                eprint!("{line}");
            }
            return;
        }
    };
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = format!(
        "evident_cli_race_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = postgres::Client::connect(&server, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot connect to {POSTGRES}: {e}"));
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let database = PostgresDatabase {
        server: server.clone(),
        name,
    };
    let url = with_database(&server, &database.name);
    race(&Courses::at(tempfile::tempdir().unwrap(), url));
}
