//! The pipeline as the dashboard counts it: a stage holds every case that has
//! reached it and not left the main line, so that each figure answers "how
//! many got this far": eligible counts the scheduled and departed too. "Still
//! in the country" is every open case.

use std::str::FromStr;

use chrono::NaiveDate;

use crate::CaseStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Stage {
    Registered,
    Eligible,
    Scheduled,
    CalledForward,
    CheckedIn,
    Departed,
    InCountry,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::Registered,
        Stage::Eligible,
        Stage::Scheduled,
        Stage::CalledForward,
        Stage::CheckedIn,
        Stage::Departed,
        Stage::InCountry,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Registered => "registered",
            Stage::Eligible => "eligible",
            Stage::Scheduled => "scheduled",
            Stage::CalledForward => "called_forward",
            Stage::CheckedIn => "checked_in",
            Stage::Departed => "departed",
            Stage::InCountry => "in_country",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Registered => "Registered",
            Stage::Eligible => "Eligible",
            Stage::Scheduled => "Scheduled",
            Stage::CalledForward => "Called forward",
            Stage::CheckedIn => "Checked in",
            Stage::Departed => "Departed",
            Stage::InCountry => "Still in the country",
        }
    }

    /// The statuses a case may stand at to count in this stage.
    pub fn statuses(self) -> &'static [CaseStatus] {
        use CaseStatus::*;
        match self {
            Stage::Registered => &CaseStatus::ALL,
            Stage::Eligible => &[Eligible, Scheduled, CalledForward, CheckedIn, Departed],
            Stage::Scheduled => &[Scheduled, CalledForward, CheckedIn, Departed],
            Stage::CalledForward => &[CalledForward, CheckedIn, Departed],
            Stage::CheckedIn => &[CheckedIn, Departed],
            Stage::Departed => &[Departed],
            Stage::InCountry => &[
                Registered,
                UnderReview,
                Eligible,
                Ineligible,
                NeedsInformation,
                Scheduled,
                CalledForward,
                CheckedIn,
            ],
        }
    }

    pub fn contains(self, status: CaseStatus) -> bool {
        self.statuses().contains(&status)
    }
}

impl FromStr for Stage {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s).ok_or(())
    }
}

/// The number of cases in each stage (in [`Stage::ALL`] order) at the end of
/// each day on which something changed, from the status changes in the order
/// they happened (`case` is any number naming the case).
pub fn daily_stages(
    events: impl IntoIterator<Item = (u32, NaiveDate, CaseStatus)>,
) -> Vec<(NaiveDate, [i64; 7])> {
    let mut current: Vec<Option<CaseStatus>> = Vec::new();
    let mut by_status = [0i64; 10];
    let index = |s: CaseStatus| CaseStatus::ALL.iter().position(|x| *x == s).unwrap_or(0);
    let snapshot = |by_status: &[i64; 10]| {
        let mut out = [0i64; 7];
        for (i, stage) in Stage::ALL.iter().enumerate() {
            out[i] = stage.statuses().iter().map(|s| by_status[index(*s)]).sum();
        }
        out
    };
    let mut days: Vec<(NaiveDate, [i64; 7])> = Vec::new();
    let mut day: Option<NaiveDate> = None;
    for (case, date, to) in events {
        if day.is_some_and(|d| d != date) {
            days.push((day.unwrap_or(date), snapshot(&by_status)));
        }
        day = Some(date);
        let i = case as usize;
        if current.len() <= i {
            current.resize(i + 1, None);
        }
        if let Some(from) = current[i] {
            by_status[index(from)] -= 1;
        }
        by_status[index(to)] += 1;
        current[i] = Some(to);
    }
    if let Some(d) = day {
        days.push((d, snapshot(&by_status)));
    }
    // Events come in the order they were written; a day seen twice (clocks)
    // keeps its last figures.
    days.sort_by_key(|(d, _)| *d);
    days.dedup_by(|later, earlier| {
        if later.0 == earlier.0 {
            earlier.1 = later.1;
            true
        } else {
            false
        }
    });
    days
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseStatus::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, 8, day).unwrap()
    }

    #[test]
    fn stages_are_cumulative_along_the_main_line() {
        assert!(Stage::Eligible.contains(Departed));
        assert!(!Stage::Eligible.contains(Ineligible));
        assert!(Stage::InCountry.contains(CheckedIn));
        assert!(!Stage::InCountry.contains(Departed) && !Stage::InCountry.contains(Withdrawn));
        assert_eq!(Stage::Registered.statuses().len(), 10);
        assert_eq!("called_forward".parse(), Ok(Stage::CalledForward));
    }

    #[test]
    fn each_day_ends_with_the_cases_where_they_stand() {
        let series = daily_stages([
            (0, d(15), Registered),
            (1, d(15), Registered),
            (0, d(16), Eligible),
            (0, d(17), Scheduled),
            (1, d(17), Withdrawn),
            (0, d(18), Departed),
        ]);
        let days: Vec<_> = series.iter().map(|(day, _)| *day).collect();
        assert_eq!(days, [d(15), d(16), d(17), d(18)]);
        // registered, eligible, scheduled, called, checked in, departed, in country
        assert_eq!(series[0].1, [2, 0, 0, 0, 0, 0, 2]);
        assert_eq!(series[1].1, [2, 1, 0, 0, 0, 0, 2]);
        assert_eq!(series[2].1, [2, 1, 1, 0, 0, 0, 1]);
        assert_eq!(
            series[3].1,
            [2, 1, 1, 1, 1, 1, 0],
            "departed got this far too"
        );
    }
}
