//! `tongban calendar`: due dates and working-day counts on the official calendar.

use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Subcommand;
use tongban_domain::calendar::{
    provisional_year, Calendar, Counting, WorkingDays, PROVISIONAL_NOTE,
};

#[derive(Subcommand)]
pub enum CalendarCommand {
    /// The due date N working days after START (the start day does not count). The date is the
    /// last line of the output.
    Due {
        #[arg(long)]
        start: String,
        #[arg(long)]
        days: String,
        /// Print every day counted or skipped and why.
        #[arg(long)]
        explain: bool,
        /// Count the start day itself when it is a working day.
        #[arg(long)]
        include_start: bool,
    },
    /// The number of working days after FROM up to and including TO.
    Workdays {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
    /// The provisional arrangement of years FROM..=TO as computed by law (statutory holidays and
    /// their 补假, no 调休): one line per day off, `YYYY-MM-DD name`.
    Provisional {
        #[arg(long)]
        from: i32,
        #[arg(long)]
        to: i32,
    },
}

fn date(label: &str, s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{label}“{s}”不是 YYYY-MM-DD 格式的有效日期"))
}

pub fn run(cal: &Calendar, command: CalendarCommand) -> Result<ExitCode, String> {
    match command {
        CalendarCommand::Due {
            start,
            days,
            explain,
            include_start,
        } => {
            let start = date("起算日", &start)?;
            let days: WorkingDays = days
                .parse()
                .map_err(|e: tongban_domain::calendar::CalendarError| e.to_string())?;
            let counting = if include_start {
                Counting::IncludingStartDay
            } else {
                Counting::NextWorkingDay
            };
            if explain {
                let explanation = cal
                    .explain_due(start, days, counting)
                    .map_err(|e| e.to_string())?;
                println!("{explanation}");
            }
            let due = cal.due(start, days, counting).map_err(|e| e.to_string())?;
            if cal.is_provisional(due) {
                eprintln!("{PROVISIONAL_NOTE}");
            }
            println!("{}", due.format("%Y-%m-%d"));
        }
        CalendarCommand::Workdays { from, to } => {
            let from = date("开始日", &from)?;
            let to = date("结束日", &to)?;
            let n = cal
                .working_days_between(from, to)
                .map_err(|e| e.to_string())?;
            println!("{n}");
        }
        CalendarCommand::Provisional { from, to } => {
            if to < from || to - from > 100 {
                return Err("年份区间应为 FROM ≤ TO，且不超过 100 年".into());
            }
            for year in from..=to {
                let y = provisional_year(year).map_err(|e| e.to_string())?;
                for rule in &y.days {
                    println!("{} {}", rule.date.format("%Y-%m-%d"), rule.name);
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
