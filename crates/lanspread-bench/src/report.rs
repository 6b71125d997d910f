//! Markdown report with date and machine.

use std::{fmt, path::Path};

/// One benchmark's result table.
pub(crate) struct Section {
    pub(crate) title: String,
    pub(crate) notes: Vec<String>,
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
    pub(crate) verdict: String,
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "### {}\n", self.title)?;
        for n in &self.notes {
            writeln!(f, "{n}  ")?;
        }
        writeln!(f)?;
        writeln!(f, "| {} |", self.header.join(" | "))?;
        writeln!(f, "|{}|", self.header.iter().map(|_| "---").collect::<Vec<_>>().join("|"))?;
        for r in &self.rows {
            writeln!(f, "| {} |", r.join(" | "))?;
        }
        writeln!(f, "\n**{}**", self.verdict)
    }
}

pub(crate) struct Report {
    sections: Vec<Section>,
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<u64>().unwrap_or(0))
        })
        .unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{cores} cores ({cpu}), {} GiB RAM, Linux {}", mem / 1024 / 1024, kernel.trim())
}

impl Report {
    pub(crate) fn new() -> Self {
        Self { sections: Vec::new() }
    }

    pub(crate) fn push(&mut self, s: Section) {
        self.sections.push(s);
    }

    pub(crate) fn write(&self, path: &Path) -> anyhow::Result<()> {
        let date = std::process::Command::new("date").arg("-u").arg("+%Y-%m-%d %H:%M UTC").output()?;
        let mut out = format!(
            "# Benchmarks\n\nMeasured {} on {}.\nRelease build; reference tools run in the same run on the same links \
             (alternating). Reproduce: `just bench` (all) or `just bench one-to-one` etc.\n\n",
            String::from_utf8_lossy(&date.stdout).trim(),
            machine()
        );
        out.push_str("| benchmark | verdict |\n|---|---|\n");
        for s in &self.sections {
            out.push_str(&format!("| {} | {} |\n", s.title, s.verdict));
        }
        out.push('\n');
        for s in &self.sections {
            out.push_str(&s.to_string());
            out.push('\n');
        }
        std::fs::write(path, out)?;
        Ok(())
    }
}
